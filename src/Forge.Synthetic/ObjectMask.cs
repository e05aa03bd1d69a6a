using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Synthetic;

/// <summary>
/// The antialiased coverage of one shape over its bounding rectangle. Pixels with coverage of at least one half are the
/// shape's "solid" pixels: they define its tight box, its area for occlusion, and which object owns a pixel.
/// </summary>
internal sealed class ObjectMask
{
    const float SolidCoverage = 0.5f;

    public int X0 { get; }
    public int Y0 { get; }
    public int Width { get; }
    public int Height { get; }
    public float[] Coverage { get; }
    public int Solid { get; private set; }
    public BoxF TightBox { get; private set; }

    ObjectMask(int x0, int y0, int width, int height)
    {
        X0 = x0; Y0 = y0; Width = width; Height = height;
        Coverage = new float[width * height];
    }

    public static ObjectMask Rasterize(ReadOnlySpan<(float X, float Y)> outline, int imageWidth, int imageHeight)
    {
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var (x, y) in outline) { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
        int x0 = Math.Max(0, (int)MathF.Floor(minX)), y0 = Math.Max(0, (int)MathF.Floor(minY));
        int x1 = Math.Min(imageWidth, (int)MathF.Ceiling(maxX)), y1 = Math.Min(imageHeight, (int)MathF.Ceiling(maxY));
        var mask = new ObjectMask(x0, y0, Math.Max(1, x1 - x0), Math.Max(1, y1 - y0));
        var sink = new Sink(mask);
        PolygonRasterizer.Fill(outline, imageWidth, imageHeight, FillRule.NonZero, antialias: true, ref sink);
        mask.Measure();
        return mask;
    }

    struct Sink(ObjectMask mask) : ICoverageSink
    {
        public void Row(int y, int x0, ReadOnlySpan<float> coverage)
        {
            int row = (y - mask.Y0) * mask.Width;
            for (int i = 0; i < coverage.Length; i++)
            {
                int x = x0 + i - mask.X0;
                if ((uint)x < (uint)mask.Width) mask.Coverage[row + x] = Math.Min(1f, coverage[i]);
            }
        }
    }

    void Measure()
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1, solid = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                if (Coverage[y * Width + x] < SolidCoverage) continue;
                solid++;
                minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
            }
        Solid = solid;
        TightBox = solid == 0 ? default : new BoxF(X0 + minX, Y0 + minY, X0 + maxX + 1, Y0 + maxY + 1);
    }

    /// <summary>Adds to covered[i] the solid pixels of this shape that object i currently shows (owner value i + 1).</summary>
    public void CountCovered(byte[] owner, int imageWidth, Span<int> covered)
    {
        for (int y = 0; y < Height; y++)
        {
            int maskRow = y * Width, imageRow = (Y0 + y) * imageWidth + X0;
            for (int x = 0; x < Width; x++)
            {
                if (Coverage[maskRow + x] < SolidCoverage) continue;
                int o = owner[imageRow + x];
                if (o > 0 && o <= covered.Length) covered[o - 1]++;
            }
        }
    }

    /// <summary>Mean image colour under the solid pixels in each quadrant of the tight box; returns how many quadrants had pixels.</summary>
    public int QuadrantMeans(RgbImage image, Span<Rgb> means)
    {
        Span<long> sums = stackalloc long[12];
        Span<int> counts = stackalloc int[4];
        float midX = TightBox.CenterX - X0, midY = TightBox.CenterY - Y0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                if (Coverage[y * Width + x] < SolidCoverage) continue;
                int q = (x + 0.5f < midX ? 0 : 1) + (y + 0.5f < midY ? 0 : 2);
                int o = image.Offset(X0 + x, Y0 + y);
                sums[3 * q] += image.Pixels[o]; sums[3 * q + 1] += image.Pixels[o + 1]; sums[3 * q + 2] += image.Pixels[o + 2];
                counts[q]++;
            }
        int n = 0;
        for (int q = 0; q < 4; q++)
            if (counts[q] > 0)
                means[n++] = new Rgb((byte)(sums[3 * q] / counts[q]), (byte)(sums[3 * q + 1] / counts[q]), (byte)(sums[3 * q + 2] / counts[q]));
        return n;
    }

    /// <summary>
    /// Blends the colour in by coverage, with a gentle linear shading of +-<paramref name="shading"/> levels across the shape
    /// (lit from one side), and marks solid pixels as owned by <paramref name="id"/>.
    /// </summary>
    public void Paint(RgbImage image, byte[] owner, byte id, Rgb color, float shading, float shadeAngle, float cx, float cy, float radius)
    {
        float dx = MathF.Cos(shadeAngle) / radius, dy = MathF.Sin(shadeAngle) / radius;
        byte[] px = image.Pixels;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                float c = Coverage[y * Width + x];
                if (c <= 0.002f) continue;
                int ix = X0 + x, iy = Y0 + y;
                float shade = shading * Math.Clamp((ix + 0.5f - cx) * dx + (iy + 0.5f - cy) * dy, -1f, 1f);
                var shaded = new Rgb(Clamp(color.R + shade), Clamp(color.G + shade), Clamp(color.B + shade));
                Drawing.Blend(px, image.Offset(ix, iy), shaded, c);
                if (c >= SolidCoverage) owner[iy * image.Width + ix] = id;
            }
    }

    static byte Clamp(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
