using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Data.Loading;

namespace Forge.Data.Inference;

/// <summary>From a detector's decoded output to boxes on the original image: NMS, then letterbox pixels back to image pixels.</summary>
public static class DetectionPostprocess
{
    /// <param name="output">One image's (4 + numClasses) x anchors block of a backend's output.</param>
    public static List<Detection> Run(ReadOnlySpan<float> output, int anchors, int numClasses, NmsOptions nms, ImageInfo info) =>
        ToOriginal(NonMaxSuppression.Run(output, anchors, numClasses, nms), info);

    /// <summary>Letterboxed-pixel detections back to original image pixels (Ultralytics scale_boxes: minus padding, divided
    /// by the gain, clipped to the image), order kept.</summary>
    public static List<Detection> ToOriginal(List<Detection> dets, ImageInfo info)
    {
        var result = new List<Detection>(dets.Count);
        foreach (var d in dets)
        {
            var (x1, y1) = info.ToOriginal(d.Box.X1, d.Box.Y1);
            var (x2, y2) = info.ToOriginal(d.Box.X2, d.Box.Y2);
            result.Add(d with { Box = new BoxF(x1, y1, x2, y2).Clip(info.OriginalWidth, info.OriginalHeight) });
        }
        return result;
    }
}
