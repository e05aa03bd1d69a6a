using System.Buffers;

namespace Forge.Data.Imaging;

/// <summary>Receives one image row of coverage values (0..1, may slightly exceed 1 from rounding) from <see cref="PolygonRasterizer"/>.</summary>
internal interface ICoverageSink
{
    /// <summary><paramref name="coverage"/>[i] belongs to pixel (x0 + i, y); only rows the polygon touches are reported.</summary>
    void Row(int y, int x0, ReadOnlySpan<float> coverage);
}

/// <summary>
/// Scanline polygon filling in continuous coordinates (pixel (i, j) covers [i, i+1) x [j, j+1)).
/// Aliased mode fills pixels whose centre is inside; antialiased mode averages several sub-scanlines with exact horizontal coverage.
/// Shared by drawing and by the synthetic dataset, which needs the same coverage to compute tight boxes.
/// </summary>
internal static class PolygonRasterizer
{
    /// <summary>Sub-scanlines per pixel row when antialiasing: 5 gives smooth edges at a small cost.</summary>
    const int SubRows = 5;

    public static void Fill<TSink>(ReadOnlySpan<(float X, float Y)> points, int width, int height, FillRule rule, bool antialias, ref TSink sink)
        where TSink : struct, ICoverageSink
    {
        int n = points.Length;
        if (n < 3 || width <= 0 || height <= 0) return;
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            var (x, y) = points[i];
            if (!float.IsFinite(x) || !float.IsFinite(y)) return; // an undefined outline draws nothing rather than garbage
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        int rowStart = (int)Math.Max(0, Math.Floor(minY));
        int rowEnd = (int)Math.Min(height - 1, Math.Ceiling(maxY) - 1);
        int colStart = (int)Math.Max(0, Math.Floor(minX));
        int colEnd = (int)Math.Min(width - 1, Math.Ceiling(maxX) - 1);
        if (rowStart > rowEnd || colStart > colEnd) return;

        int cols = colEnd - colStart + 1;
        float[] coverage = ArrayPool<float>.Shared.Rent(cols);
        double[] xs = ArrayPool<double>.Shared.Rent(n);
        int[] dirs = ArrayPool<int>.Shared.Rent(n);
        try
        {
            int subRows = antialias ? SubRows : 1;
            float weight = 1f / subRows;
            for (int y = rowStart; y <= rowEnd; y++)
            {
                int touchedMin = int.MaxValue, touchedMax = -1;
                for (int s = 0; s < subRows; s++)
                {
                    double sy = y + (s + 0.5) / subRows;
                    int count = Crossings(points, sy, xs, dirs);
                    if (count < 2) continue;
                    int winding = 0;
                    for (int k = 0; k < count - 1; k++)
                    {
                        winding += dirs[k];
                        bool inside = rule == FillRule.EvenOdd ? (k & 1) == 0 : winding != 0;
                        if (!inside) continue;
                        double xa = Math.Clamp(xs[k], colStart, colEnd + 1.0);
                        double xb = Math.Clamp(xs[k + 1], colStart, colEnd + 1.0);
                        if (xb <= xa) continue;
                        if (antialias) AddSpanCoverage(coverage, colStart, colEnd, xa, xb, weight, ref touchedMin, ref touchedMax);
                        else SetSpanCenters(coverage, colStart, colEnd, xa, xb, ref touchedMin, ref touchedMax);
                    }
                }
                if (touchedMax < 0) continue;
                sink.Row(y, colStart + touchedMin, coverage.AsSpan(touchedMin, touchedMax - touchedMin + 1));
                Array.Clear(coverage, touchedMin, touchedMax - touchedMin + 1);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(coverage);
            ArrayPool<double>.Shared.Return(xs);
            ArrayPool<int>.Shared.Return(dirs);
        }
    }

    /// <summary>Where the closed outline crosses the horizontal line y = <paramref name="sy"/>, sorted by x, with edge direction (+1 down, -1 up).</summary>
    static int Crossings(ReadOnlySpan<(float X, float Y)> points, double sy, double[] xs, int[] dirs)
    {
        int n = points.Length, count = 0;
        for (int i = 0; i < n; i++)
        {
            var (x0, y0) = points[i];
            var (x1, y1) = points[i + 1 == n ? 0 : i + 1];
            // Half-open test so a vertex exactly on the scanline is counted once.
            bool down = y0 <= sy && sy < y1, up = y1 <= sy && sy < y0;
            if (!down && !up) continue;
            double x = x0 + (sy - y0) * ((double)x1 - x0) / ((double)y1 - y0);
            int dir = down ? 1 : -1;
            int j = count++;
            while (j > 0 && xs[j - 1] > x) { xs[j] = xs[j - 1]; dirs[j] = dirs[j - 1]; j--; }
            xs[j] = x; dirs[j] = dir;
        }
        return count;
    }

    static void AddSpanCoverage(float[] coverage, int colStart, int colEnd, double xa, double xb, float weight, ref int touchedMin, ref int touchedMax)
    {
        // xa < xb, both within [colStart, colEnd + 1]: partial first pixel, full middle pixels, partial last pixel.
        int ia = (int)Math.Floor(xa), ib = (int)Math.Floor(xb), last;
        if (ib == ia)
        {
            coverage[ia - colStart] += (float)(xb - xa) * weight;
            last = ia;
        }
        else
        {
            coverage[ia - colStart] += (float)(ia + 1 - xa) * weight;
            for (int i = ia + 1; i < ib; i++) coverage[i - colStart] += weight;
            last = ib - 1;
            if (ib <= colEnd && xb > ib)
            {
                coverage[ib - colStart] += (float)(xb - ib) * weight;
                last = ib;
            }
        }
        touchedMin = Math.Min(touchedMin, ia - colStart);
        touchedMax = Math.Max(touchedMax, last - colStart);
    }

    static void SetSpanCenters(float[] coverage, int colStart, int colEnd, double xa, double xb, ref int touchedMin, ref int touchedMax)
    {
        // Pixels whose centre i + 0.5 lies in [xa, xb).
        int first = Math.Max(colStart, (int)Math.Ceiling(xa - 0.5));
        int last = Math.Min(colEnd, (int)Math.Ceiling(xb - 0.5) - 1);
        if (first > last) return;
        for (int i = first; i <= last; i++) coverage[i - colStart] = 1f;
        touchedMin = Math.Min(touchedMin, first - colStart);
        touchedMax = Math.Max(touchedMax, last - colStart);
    }
}
