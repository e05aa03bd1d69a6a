using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>MixUp (Zhang et al. 2017) as Ultralytics does it: pixel blend a*r + b*(1-r) in float64, truncated to bytes; both label sets kept.</summary>
public static class MixUp
{
    /// <summary>A new image blended from <paramref name="a"/> and <paramref name="b"/> (same size); the inputs stay the caller's.</summary>
    public static unsafe LabeledImage Blend(LabeledImage a, LabeledImage b, double ratio)
    {
        if (a.Image.Width != b.Image.Width || a.Image.Height != b.Image.Height)
            throw new ArgumentException($"MixUp needs equal sizes, got {a.Image.Width}x{a.Image.Height} and {b.Image.Width}x{b.Image.Height}");
        int rows = a.Image.Rows, cols = a.Image.Cols;   // each Mat property is a native call: read once
        var image = new Mat(rows, cols, MatType.CV_8UC3);
        double q = 1 - ratio;
        int rowBytes = cols * 3;
        for (int y = 0; y < rows; y++)
        {
            byte* pa = (byte*)a.Image.Ptr(y), pb = (byte*)b.Image.Ptr(y), po = (byte*)image.Ptr(y);
            for (int i = 0; i < rowBytes; i++) po[i] = (byte)(int)(pa[i] * ratio + pb[i] * q);
        }
        var boxes = new BoxF[a.Count + b.Count];
        var classes = new int[boxes.Length];
        a.Boxes.CopyTo(boxes, 0); b.Boxes.CopyTo(boxes, a.Count);
        a.Classes.CopyTo(classes, 0); b.Classes.CopyTo(classes, a.Count);
        return new LabeledImage(image, boxes, classes);
    }
}
