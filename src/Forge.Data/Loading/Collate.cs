using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// Turns samples into the batch layout the trainer wants: CHW float planes in [0, 1] in RGB order (the BGR images are
/// reversed here, as Ultralytics' Format/preprocess does with img[::-1]), and target rows.
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
    /// Writes an 8-bit BGR image as three planes (R, G, B) of floats in [0, 1] starting at <paramref name="offset"/>.
    /// Throws <see cref="ArgumentException"/> for another pixel type.
    /// </summary>
    public static unsafe void ToChw(Mat image, float[] destination, int offset)
    {
        if (image.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR image, got {image.Type()}", nameof(image));
        int w = image.Width, h = image.Height, plane = w * h;
        if (offset < 0 || offset + 3 * plane > destination.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"a {w}x{h} image does not fit at {offset} in {destination.Length} floats");
        fixed (float* dst = &destination[offset])
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
