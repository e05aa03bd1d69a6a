using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Data.Augmentation;

/// <summary>
/// How a letterbox placed an image: it was scaled by <see cref="Scale"/> to ContentWidth x ContentHeight and put at
/// (PadX, PadY) of the output. A point maps back to the source as (p - pad) / scale.
/// </summary>
public readonly record struct LetterboxInfo(float Scale, int PadX, int PadY, int ContentWidth, int ContentHeight)
{
    public BoxF ToSource(BoxF box) =>
        new((box.X1 - PadX) / Scale, (box.Y1 - PadY) / Scale, (box.X2 - PadX) / Scale, (box.Y2 - PadY) / Scale);

    public BoxF FromSource(BoxF box) =>
        new(box.X1 * Scale + PadX, box.Y1 * Scale + PadY, box.X2 * Scale + PadX, box.Y2 * Scale + PadY);
}

/// <summary>
/// Resizes keeping the aspect ratio so the image fits the target, then pads the rest with grey 114, centred
/// (Ultralytics LetterBox with auto=False, center=True).
/// </summary>
public static class Letterbox
{
    public const byte PadValue = 114;

    /// <summary>
    /// The placement for a srcW x srcH image in a dstW x dstH letterbox. With <paramref name="scaleUp"/> false the
    /// image is only ever shrunk (Ultralytics does this for validation).
    /// </summary>
    public static LetterboxInfo Compute(int srcW, int srcH, int dstW, int dstH, bool scaleUp)
    {
        double r = Math.Min((double)dstH / srcH, (double)dstW / srcW);
        if (!scaleUp) r = Math.Min(r, 1.0);
        // Python's round() is round-half-to-even, as is Math.Round's default: same sizes and paddings.
        int w = Math.Max(1, (int)Math.Round(srcW * r)), h = Math.Max(1, (int)Math.Round(srcH * r));
        double dw = (dstW - w) / 2.0, dh = (dstH - h) / 2.0;
        int left = (int)Math.Round(dw - 0.1), top = (int)Math.Round(dh - 0.1);
        return new LetterboxInfo((float)r, left, top, w, h);
    }

    /// <summary>Letterboxes an image alone (inference). Always returns a new image.</summary>
    public static RgbImage Apply(RgbImage src, int dstW, int dstH, bool scaleUp, out LetterboxInfo info)
    {
        info = Compute(src.Width, src.Height, dstW, dstH, scaleUp);
        var content = info.ContentWidth == src.Width && info.ContentHeight == src.Height
            ? src
            : Resize.To(src, info.ContentWidth, info.ContentHeight);
        var dst = RgbImage.Filled(dstW, dstH, PadValue);
        Paste.Region(content, 0, 0, dst, info.PadX, info.PadY, info.ContentWidth, info.ContentHeight);
        return dst;
    }

    /// <summary>Letterboxes an image and moves its boxes along. Boxes follow the integer padding actually applied.</summary>
    public static LabeledImage Apply(LabeledImage input, int dstW, int dstH, bool scaleUp, out LetterboxInfo info)
    {
        var image = Apply(input.Image, dstW, dstH, scaleUp, out info);
        var boxes = new BoxF[input.Count];
        for (int i = 0; i < boxes.Length; i++) boxes[i] = info.FromSource(input.Boxes[i]);
        return new LabeledImage(image, boxes, (int[])input.Classes.Clone());
    }
}
