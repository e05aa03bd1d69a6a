using Forge.Data.Imaging;

namespace Forge.Data.Loading;

/// <summary>Turns samples into the batch layout the trainer wants: CHW float planes in [0, 1], and target rows.</summary>
public static class Collate
{
    static readonly float[] ByteToUnit = BuildLut();

    static float[] BuildLut()
    {
        var lut = new float[256];
        for (int i = 0; i < 256; i++) lut[i] = i / 255f;
        return lut;
    }

    /// <summary>Writes the image as three planes (R, G, B) of floats in [0, 1] starting at <paramref name="offset"/>.</summary>
    public static unsafe void ToChw(RgbImage image, float[] destination, int offset)
    {
        int plane = image.Width * image.Height;
        if (offset < 0 || offset + 3 * plane > destination.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"a {image.Width}x{image.Height} image does not fit at {offset} in {destination.Length} floats");
        fixed (byte* src = image.Pixels)
        fixed (float* dst = &destination[offset])
        fixed (float* lut = ByteToUnit)
        {
            float* r = dst, g = dst + plane, b = dst + 2 * plane;
            byte* p = src;
            for (int i = 0; i < plane; i++, p += 3)
            {
                r[i] = lut[p[0]];
                g[i] = lut[p[1]];
                b[i] = lut[p[2]];
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
