using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// Ultralytics' load_image (ultralytics/data/base.py, rect_mode): r = imgsz / max(h0, w0); when r != 1 the image is
/// resized with cv2.INTER_LINEAR (up or down) to (min(ceil(w0 r), imgsz), min(ceil(h0 r), imgsz)).
/// </summary>
public static class LongSideResize
{
    /// <summary>The loaded size of a w0 x h0 image (pixels).</summary>
    public static (int Width, int Height) SizeFor(int w0, int h0, int imgsz)
    {
        if (w0 <= 0 || h0 <= 0) throw new ArgumentException($"image size must be positive, got {w0}x{h0}");
        if (imgsz <= 0) throw new ArgumentOutOfRangeException(nameof(imgsz), imgsz, "image size must be positive");
        double r = (double)imgsz / Math.Max(h0, w0);
        if (r == 1) return (w0, h0);
        return (Math.Min((int)Math.Ceiling(w0 * r), imgsz), Math.Min((int)Math.Ceiling(h0 * r), imgsz));
    }

    /// <summary>Takes ownership of <paramref name="decoded"/>: returns it when the size is already right, else a resized copy (disposing the original).</summary>
    public static Mat Apply(Mat decoded, int imgsz)
    {
        var (w, h) = SizeFor(decoded.Width, decoded.Height, imgsz);
        if (w == decoded.Width && h == decoded.Height) return decoded;
        var resized = new Mat();
        try { Cv2.Resize(decoded, resized, new Size(w, h), 0, 0, InterpolationFlags.Linear); }
        catch { resized.Dispose(); throw; }
        finally { decoded.Dispose(); }
        return resized;
    }
}
