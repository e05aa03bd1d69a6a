using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>Bilinear resampling for preview images (plots only; the training pipeline has its own letterboxing).</summary>
internal static class ImageScaler
{
    public static RgbImage Resize(RgbImage source, int width, int height)
    {
        width = Math.Max(1, width); height = Math.Max(1, height);
        if (width == source.Width && height == source.Height) return source.Clone();
        var result = new RgbImage(width, height);
        byte[] src = source.Pixels, dst = result.Pixels;
        float sx = (float)source.Width / width, sy = (float)source.Height / height;
        // Source column pairs and weights are the same for every row: compute them once.
        var x0s = new int[width]; var x1s = new int[width]; var wx = new float[width];
        for (int x = 0; x < width; x++)
        {
            float fx = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, source.Width - 1);
            x0s[x] = (int)fx; x1s[x] = Math.Min(x0s[x] + 1, source.Width - 1); wx[x] = fx - x0s[x];
        }
        for (int y = 0; y < height; y++)
        {
            float fy = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, source.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, source.Height - 1);
            float wy = fy - y0;
            int row0 = y0 * source.Width * 3, row1 = y1 * source.Width * 3, o = y * width * 3;
            for (int x = 0; x < width; x++, o += 3)
            {
                int a = row0 + x0s[x] * 3, b = row0 + x1s[x] * 3, c = row1 + x0s[x] * 3, d = row1 + x1s[x] * 3;
                float w = wx[x];
                for (int ch = 0; ch < 3; ch++)
                {
                    float top = src[a + ch] + (src[b + ch] - src[a + ch]) * w;
                    float bottom = src[c + ch] + (src[d + ch] - src[c + ch]) * w;
                    dst[o + ch] = (byte)(top + (bottom - top) * wy + 0.5f);
                }
            }
        }
        return result;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> with its top-left at (x, y), clipped.</summary>
    public static void Paste(RgbImage target, RgbImage source, int x, int y)
    {
        int x0 = Math.Max(0, x), x1 = Math.Min(target.Width, x + source.Width);
        if (x0 >= x1) return;
        for (int row = Math.Max(0, y); row < Math.Min(target.Height, y + source.Height); row++)
            source.Pixels.AsSpan(source.Offset(x0 - x, row - y), (x1 - x0) * 3).CopyTo(target.Pixels.AsSpan(target.Offset(x0, row)));
    }
}
