using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Imaging;

namespace Forge.Training.Validation;

/// <summary>The ground-truth boxes validation compares detections with, in original image pixels.</summary>
public static class GroundTruth
{
    /// <summary>Exact boxes: a COCO json's own pixel boxes, or normalised labels times the image size (float64), for COCO-style evaluation.</summary>
    public static List<LabeledBox> Exact(DatasetItem item)
    {
        var list = new List<LabeledBox>(item.Labels.Length);
        for (int i = 0; i < item.Labels.Length; i++)
        {
            var l = item.Labels[i];
            var box = item.PixelBoxes?[i] ?? new BoxF(
                (float)((l.Cx - (double)l.W / 2) * item.Width), (float)((l.Cy - (double)l.H / 2) * item.Height),
                (float)((l.Cx + (double)l.W / 2) * item.Width), (float)((l.Cy + (double)l.H / 2) * item.Height));
            list.Add(new LabeledBox(box, l.ClassId));
        }
        return list;
    }

    /// <summary>
    /// The boxes Ultralytics' validator scores against: labels taken through the validation pipeline in float32 (xywh to
    /// xyxy, times the loaded size, plus the letterbox padding, normalised by the batch shape as Format does) and back
    /// (times the batch shape, minus padding, divided by the loaded height's ratio, clipped to the image) exactly as
    /// DetectionValidator._prepare_batch and scale_boxes do, for a batch of <paramref name="batchWidth"/> x <paramref name="batchHeight"/>.
    /// </summary>
    public static List<LabeledBox> Ultralytics(DatasetItem item, int imgsz, int batchWidth, int batchHeight)
    {
        var (w, h) = LongSideResize.SizeFor(item.Width, item.Height, imgsz);
        var lb = Letterbox.Compute(w, h, batchWidth, batchHeight, scaleUp: false);
        float r = (float)lb.Ratio, padX = lb.PadLeft, padY = lb.PadTop;
        float gain = (float)((double)h / item.Height);   // ratio_pad[0][0]: the loaded height's ratio
        float bw = batchWidth, bh = batchHeight;
        var list = new List<LabeledBox>(item.Labels.Length);
        foreach (var l in item.Labels)
        {
            // LetterBox._update_labels: xywh -> xyxy, denormalise by the loaded size, scale, add padding.
            float halfW = l.W / 2, halfH = l.H / 2;
            float x1 = (l.Cx - halfW) * w * r + padX, y1 = (l.Cy - halfH) * h * r + padY;
            float x2 = (l.Cx + halfW) * w * r + padX, y2 = (l.Cy + halfH) * h * r + padY;
            // Format: xyxy -> xywh normalised by the batch shape.
            float cx = (x1 + x2) / 2 / bw, cy = (y1 + y2) / 2 / bh, nw = (x2 - x1) / bw, nh = (y2 - y1) / bh;
            // _prepare_batch: xywh -> xyxy times the batch shape, then scale_boxes.
            float hw = nw / 2, hh = nh / 2;
            float ox1 = ((cx - hw) * bw - padX) / gain, oy1 = ((cy - hh) * bh - padY) / gain;
            float ox2 = ((cx + hw) * bw - padX) / gain, oy2 = ((cy + hh) * bh - padY) / gain;
            list.Add(new LabeledBox(new BoxF(ox1, oy1, ox2, oy2).Clip(item.Width, item.Height), l.ClassId));
        }
        return list;
    }
}
