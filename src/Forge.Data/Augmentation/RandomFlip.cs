using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>Mirrors a labelled image in place with cv2.flip, boxes included (Ultralytics RandomFlip).</summary>
public static class RandomFlip
{
    /// <summary>Left-right mirror: x becomes width - x.</summary>
    public static void FlipLr(LabeledImage sample)
    {
        Cv2.Flip(sample.Image, sample.Image, FlipMode.Y);
        float w = sample.Image.Width;
        var boxes = sample.Boxes;
        for (int i = 0; i < boxes.Length; i++) boxes[i] = new BoxF(w - boxes[i].X2, boxes[i].Y1, w - boxes[i].X1, boxes[i].Y2);
    }

    /// <summary>Up-down mirror: y becomes height - y.</summary>
    public static void FlipUd(LabeledImage sample)
    {
        Cv2.Flip(sample.Image, sample.Image, FlipMode.X);
        float h = sample.Image.Height;
        var boxes = sample.Boxes;
        for (int i = 0; i < boxes.Length; i++) boxes[i] = new BoxF(boxes[i].X1, h - boxes[i].Y2, boxes[i].X2, h - boxes[i].Y1);
    }
}
