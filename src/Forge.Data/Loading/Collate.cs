using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// Turns samples into the batch layout the trainer wants: CHW byte planes in RGB order (the BGR images are reversed here, as
/// Ultralytics' Format/preprocess does with img[::-1]) and target rows; <see cref="ToUnit"/> makes [0, 1] floats of the
/// bytes for consumers that take floats (an ONNX model, prediction).
/// </summary>
public static class Collate
{
    static readonly float[] ByteToUnit = BuildLut();

    static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = i / 255f;
        return lut;
    }

    /// <summary>
    /// Writes an 8-bit BGR image as three planes (R, G, B) of bytes (pixel values 0..255, unchanged) starting at
    /// <paramref name="offset"/>: height x width bytes per plane.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not 8-bit 3-channel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The three planes do not fit at <paramref name="offset"/>.</exception>
    public static unsafe void ToChw(Mat image, byte[] destination, int offset)
    {
        if (image.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR image, got {image.Type()}", nameof(image));
        int w = image.Width, h = image.Height, plane = w * h;
        if (offset < 0 || offset + 3 * plane > destination.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"a {w}x{h} image does not fit at {offset} in {destination.Length} bytes");
        fixed (byte* dst = &destination[offset])
        {
            byte* r = dst, g = dst + plane, b = dst + 2 * plane;
            for (int y = 0; y < h; y++)
            {
                byte* p = (byte*)image.Ptr(y);
                int o = y * w;
                for (int x = 0; x < w; x++, p += 3)
                {
                    b[o + x] = p[0];
                    g[o + x] = p[1];
                    r[o + x] = p[2];
                }
            }
        }
    }

    /// <summary>
    /// Writes an 8-bit BGR image as three planes (R, G, B) of [0, 1] floats, height x width each, at the start of
    /// <paramref name="destination"/>: <see cref="ToChw"/> and <see cref="ToUnit"/> in one pass, the same values.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not 8-bit 3-channel, or <paramref name="destination"/> is too short.</exception>
    public static unsafe void ToChwUnit(Mat image, Span<float> destination)
    {
        if (image.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR image, got {image.Type()}", nameof(image));
        int w = image.Width, h = image.Height, plane = w * h;
        if (destination.Length < 3 * plane)
            throw new ArgumentException($"{destination.Length} floats cannot take a {w}x{h} image's {3 * plane} values", nameof(destination));
        fixed (float* dst = destination)
        fixed (float* lut = ByteToUnit)
        {
            float* r = dst, g = dst + plane, b = dst + 2 * plane;
            for (int y = 0; y < h; y++)
            {
                byte* p = (byte*)image.Ptr(y);
                int o = y * w;
                for (int x = 0; x < w; x++, p += 3)
                {
                    b[o + x] = lut[p[0]];
                    g[o + x] = lut[p[1]];
                    r[o + x] = lut[p[2]];
                }
            }
        }
    }

    /// <summary>Pixel values 0..255 as floats in [0, 1]: <c>v / 255f</c> for each value, exactly (the correctly rounded
    /// float32 division, which torch's CPU kernel for <c>img.float() / 255</c> gives too).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
    public static void ToUnit(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"{destination.Length} floats cannot take {source.Length} values", nameof(destination));
        var lut = ByteToUnit;
        for (int i = 0; i < source.Length; i++) destination[i] = lut[source[i]];
    }

    /// <summary>Target rows (classId, cx, cy, w, h) normalised to the image size, without the batch index.</summary>
    public static float[] TargetRows(LabeledSample sample)
    {
        float w = sample.Image.Width, h = sample.Image.Height;
        var rows = new float[sample.Boxes.Length * 5];
        for (int i = 0; i < sample.Boxes.Length; i++)
        {
            var b = sample.Boxes[i];
            rows[i * 5] = sample.Classes[i];
            rows[i * 5 + 1] = b.CenterX / w;
            rows[i * 5 + 2] = b.CenterY / h;
            rows[i * 5 + 3] = b.Width / w;
            rows[i * 5 + 4] = b.Height / h;
        }
        return rows;
    }
}
