using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// How a letterbox placed an image: scaled by <see cref="Ratio"/> to ContentWidth x ContentHeight (pixels) and put at
/// (PadLeft, PadTop) of a Width x Height output.
/// </summary>
public readonly record struct LetterboxInfo(double Ratio, int PadLeft, int PadTop, int ContentWidth, int ContentHeight, int Width, int Height)
{
    /// <summary>A box in source pixels to output pixels (Ultralytics LetterBox._update_labels: scale, then add the padding).</summary>
    public BoxF FromSource(BoxF box)
    {
        float r = (float)Ratio;
        return new(box.X1 * r + PadLeft, box.Y1 * r + PadTop, box.X2 * r + PadLeft, box.Y2 * r + PadTop);
    }
}

/// <summary>
/// Ultralytics' LetterBox (ultralytics/data/augment.py): scale to fit keeping the aspect ratio (never up when
/// <c>scaleup</c> is false), output size rounded half-to-even like Python's round(), cv2.resize with INTER_LINEAR when the
/// size changes, then cv2.copyMakeBorder with grey 114. <c>auto</c> pads only to a multiple of the stride (the predictor's
/// minimal rectangle); <c>center</c> splits the padding between both sides as round(d - 0.1) / round(d + 0.1).
/// Images are 8-bit BGR <see cref="Mat"/>s; nothing here depends on the tensor library, so ONNX inference shares it.
/// </summary>
public static class Letterbox
{
    public const byte PadValue = 114;
    public static Scalar PadColor => new(PadValue, PadValue, PadValue);

    /// <summary>The placement of a srcW x srcH image in a dstW x dstH letterbox.</summary>
    public static LetterboxInfo Compute(int srcW, int srcH, int dstW, int dstH, bool scaleUp = true, bool auto = false, int stride = 32, bool center = true)
    {
        if (srcW <= 0 || srcH <= 0) throw new ArgumentException($"image size must be positive, got {srcW}x{srcH}");
        if (dstW <= 0 || dstH <= 0) throw new ArgumentException($"letterbox size must be positive, got {dstW}x{dstH}");
        double r = Math.Min((double)dstH / srcH, (double)dstW / srcW);
        if (!scaleUp) r = Math.Min(r, 1.0);
        // Python's round() is round-half-to-even, as is Math.Round's default.
        int w = (int)Math.Round(srcW * r), h = (int)Math.Round(srcH * r);
        if (w < 1 || h < 1) throw new ArgumentException($"a {srcW}x{srcH} image shrinks to nothing in a {dstW}x{dstH} letterbox");
        double dw = dstW - w, dh = dstH - h;
        if (auto)
        {
            if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be positive");
            dw = Mod(dw, stride);
            dh = Mod(dh, stride);
        }
        int left, right, top, bottom;
        if (center)
        {
            dw /= 2; dh /= 2;
            left = (int)Math.Round(dw - 0.1); right = (int)Math.Round(dw + 0.1);
            top = (int)Math.Round(dh - 0.1); bottom = (int)Math.Round(dh + 0.1);
        }
        else
        {
            left = 0; top = 0;
            right = (int)Math.Round(dw + 0.1); bottom = (int)Math.Round(dh + 0.1);
        }
        return new LetterboxInfo(r, left, top, w, h, left + w + right, top + h + bottom);
    }

    static double Mod(double a, int b) => a - Math.Floor(a / b) * b; // numpy.mod: result has the divisor's sign

    /// <summary>Letterboxes <paramref name="src"/> into a new image (the caller disposes it).</summary>
    public static Mat Apply(Mat src, LetterboxInfo info)
    {
        var dst = new Mat();
        if (info.ContentWidth == src.Width && info.ContentHeight == src.Height)
        {
            Cv2.CopyMakeBorder(src, dst, info.PadTop, info.Height - info.PadTop - info.ContentHeight,
                info.PadLeft, info.Width - info.PadLeft - info.ContentWidth, BorderTypes.Constant, PadColor);
            return dst;
        }
        using var resized = new Mat();
        Cv2.Resize(src, resized, new Size(info.ContentWidth, info.ContentHeight), 0, 0, InterpolationFlags.Linear);
        Cv2.CopyMakeBorder(resized, dst, info.PadTop, info.Height - info.PadTop - info.ContentHeight,
            info.PadLeft, info.Width - info.PadLeft - info.ContentWidth, BorderTypes.Constant, PadColor);
        return dst;
    }

    /// <summary>Letterboxes an image alone (inference); <paramref name="info"/> tells where it went.</summary>
    public static Mat Apply(Mat src, int dstW, int dstH, bool scaleUp, out LetterboxInfo info, bool auto = false, int stride = 32)
    {
        info = Compute(src.Width, src.Height, dstW, dstH, scaleUp, auto, stride);
        return Apply(src, info);
    }

    /// <summary>Letterboxes an image and moves its boxes along (a new image; the input stays the caller's).</summary>
    public static LabeledImage Apply(LabeledImage input, int dstW, int dstH, bool scaleUp, out LetterboxInfo info)
    {
        info = Compute(input.Image.Width, input.Image.Height, dstW, dstH, scaleUp);
        var image = Apply(input.Image, info);
        var boxes = new BoxF[input.Count];
        for (int i = 0; i < boxes.Length; i++) boxes[i] = info.FromSource(input.Boxes[i]);
        return new LabeledImage(image, boxes, (int[])input.Classes.Clone());
    }
}
