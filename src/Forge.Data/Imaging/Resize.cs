namespace Forge.Data.Imaging;

/// <summary>
/// Image resizing with OpenCV's conventions: bilinear uses half-pixel centres with edge clamping (INTER_LINEAR),
/// area averages the source pixels each destination pixel covers (INTER_AREA), which avoids aliasing when shrinking.
/// </summary>
public static class Resize
{
    /// <summary>Shrinking by more than this factor switches <see cref="To"/> from bilinear to area averaging.</summary>
    public const double AreaThreshold = 1.5;

    /// <summary>Resizes with the filter that suits the scale: area when shrinking by more than 1.5x on an axis (and not enlarging the other), else bilinear.</summary>
    public static RgbImage To(RgbImage src, int width, int height)
    {
        CheckSize(width, height);
        if (width == src.Width && height == src.Height) return src.Clone();
        bool shrinksBoth = width <= src.Width && height <= src.Height;
        bool shrinksMuch = src.Width > width * AreaThreshold || src.Height > height * AreaThreshold;
        return shrinksBoth && shrinksMuch ? Area(src, width, height) : Bilinear(src, width, height);
    }

    /// <summary>Bilinear interpolation, 11-bit fixed-point weights like OpenCV.</summary>
    public static unsafe RgbImage Bilinear(RgbImage src, int width, int height)
    {
        CheckSize(width, height);
        var dst = new RgbImage(width, height);
        const int Bits = 11, One = 1 << Bits;
        var xOffset = new int[width];
        var xWeight = new int[width];
        Taps(src.Width, width, xOffset, xWeight, One);
        var yOffset = new int[height];
        var yWeight = new int[height];
        Taps(src.Height, height, yOffset, yWeight, One);

        int srcStride = src.Width * 3, dstStride = width * 3, srcLastX = src.Width - 1;
        fixed (byte* sp = src.Pixels)
        fixed (byte* dp = dst.Pixels)
        {
            for (int y = 0; y < height; y++)
            {
                int fy = yWeight[y];
                byte* row0 = sp + yOffset[y] * srcStride;
                byte* row1 = yOffset[y] + 1 < src.Height ? row0 + srcStride : row0;
                byte* o = dp + y * dstStride;
                for (int x = 0; x < width; x++, o += 3)
                {
                    int sx = xOffset[x], fx = xWeight[x];
                    int a = sx * 3, b = (sx < srcLastX ? sx + 1 : sx) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        int top = row0[a + c] * (One - fx) + row0[b + c] * fx;
                        int bottom = row1[a + c] * (One - fx) + row1[b + c] * fx;
                        o[c] = (byte)((top * (One - fy) + bottom * fy + (1 << (2 * Bits - 1))) >> (2 * Bits));
                    }
                }
            }
        }
        return dst;
    }

    // Left source index and fixed-point weight of the right neighbour for each destination coordinate.
    static void Taps(int srcSize, int dstSize, int[] offset, int[] weight, int one)
    {
        double scale = (double)srcSize / dstSize;
        for (int i = 0; i < dstSize; i++)
        {
            double s = (i + 0.5) * scale - 0.5;
            int s0 = (int)Math.Floor(s);
            double frac = s - s0;
            if (s0 < 0) { s0 = 0; frac = 0; }
            if (s0 >= srcSize - 1) { s0 = srcSize - 1; frac = 0; }
            offset[i] = s0;
            weight[i] = (int)Math.Round(frac * one);
        }
    }

    /// <summary>Area averaging: each destination pixel is the coverage-weighted mean of the source pixels under it. Meant for shrinking.</summary>
    public static unsafe RgbImage Area(RgbImage src, int width, int height)
    {
        CheckSize(width, height);
        var dst = new RgbImage(width, height);
        var xs = AreaTaps(src.Width, width);
        var ys = AreaTaps(src.Height, height);
        int dstStride = width * 3, srcStride = src.Width * 3;
        var rowSum = new float[dstStride];   // one source row resampled horizontally
        var acc = new float[dstStride];      // weighted sum of such rows for the current destination row
        fixed (byte* sp = src.Pixels)
        fixed (byte* dp = dst.Pixels)
        fixed (float* rs = rowSum)
        fixed (float* ac = acc)
        {
            for (int y = 0; y < height; y++)
            {
                new Span<float>(ac, dstStride).Clear();
                var (yStart, yWeights) = ys[y];
                for (int t = 0; t < yWeights.Length; t++)
                {
                    byte* srow = sp + (yStart + t) * srcStride;
                    for (int x = 0; x < width; x++)
                    {
                        var (xStart, xWeights) = xs[x];
                        float r = 0, g = 0, b = 0;
                        byte* p = srow + xStart * 3;
                        for (int k = 0; k < xWeights.Length; k++, p += 3)
                        {
                            float w = xWeights[k];
                            r += p[0] * w; g += p[1] * w; b += p[2] * w;
                        }
                        rs[x * 3] = r; rs[x * 3 + 1] = g; rs[x * 3 + 2] = b;
                    }
                    float wy = yWeights[t];
                    for (int i = 0; i < dstStride; i++) ac[i] += rs[i] * wy;
                }
                byte* o = dp + y * dstStride;
                for (int i = 0; i < dstStride; i++)
                {
                    float v = ac[i] + 0.5f;
                    o[i] = v >= 255f ? (byte)255 : v <= 0f ? (byte)0 : (byte)v;
                }
            }
        }
        return dst;
    }

    // For each destination cell: first source index and the normalised overlap of each source cell it covers.
    static (int Start, float[] Weights)[] AreaTaps(int srcSize, int dstSize)
    {
        var taps = new (int, float[])[dstSize];
        double scale = (double)srcSize / dstSize;
        for (int i = 0; i < dstSize; i++)
        {
            double lo = i * scale, hi = Math.Min(srcSize, (i + 1) * scale);
            int first = (int)Math.Floor(lo), last = Math.Min(srcSize - 1, (int)Math.Ceiling(hi) - 1);
            var w = new float[last - first + 1];
            double total = 0;
            for (int s = first; s <= last; s++)
            {
                double overlap = Math.Min(hi, s + 1) - Math.Max(lo, s);
                w[s - first] = (float)Math.Max(0, overlap);
                total += Math.Max(0, overlap);
            }
            for (int k = 0; k < w.Length; k++) w[k] = (float)(w[k] / total);
            taps[i] = (first, w);
        }
        return taps;
    }

    /// <summary>The size Ultralytics gives an image whose long side is scaled to <paramref name="longSide"/> (ceil, capped at longSide).</summary>
    public static (int Width, int Height) LongSideSize(int width, int height, int longSide)
    {
        double r = (double)longSide / Math.Max(width, height);
        if (r == 1) return (width, height);
        int w = Math.Max(1, Math.Min((int)Math.Ceiling(width * r), longSide));
        int h = Math.Max(1, Math.Min((int)Math.Ceiling(height * r), longSide));
        return (w, h);
    }

    static void CheckSize(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"resize target must be positive, got {width}x{height}");
    }
}
