using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Data.Augmentation;

/// <summary>MixUp (Zhang et al. 2017) as Ultralytics does it: pixel blend a*r + b*(1-r), truncated to bytes; both label sets kept.</summary>
public static class MixUp
{
    public static LabeledImage Blend(LabeledImage a, LabeledImage b, double ratio)
    {
        if (a.Image.Width != b.Image.Width || a.Image.Height != b.Image.Height)
            throw new ArgumentException($"MixUp needs equal sizes, got {a.Image.Width}x{a.Image.Height} and {b.Image.Width}x{b.Image.Height}");
        var image = new RgbImage(a.Image.Width, a.Image.Height);
        float r = (float)ratio, q = 1f - r;
        var pa = a.Image.Pixels; var pb = b.Image.Pixels; var po = image.Pixels;
        for (int i = 0; i < po.Length; i++) po[i] = (byte)Math.Min(255f, pa[i] * r + pb[i] * q);
        var boxes = new BoxF[a.Count + b.Count];
        var classes = new int[boxes.Length];
        a.Boxes.CopyTo(boxes, 0); b.Boxes.CopyTo(boxes, a.Count);
        a.Classes.CopyTo(classes, 0); b.Classes.CopyTo(classes, a.Count);
        return new LabeledImage(image, boxes, classes);
    }
}
