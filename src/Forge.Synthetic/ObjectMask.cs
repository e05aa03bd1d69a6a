using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Synthetic;

/// <summary>
/// One shape rasterised by OpenCV (cv2.fillPoly, antialiased, with 8 bits of sub-pixel precision) into an 8-bit coverage
/// mask over its bounding rectangle. Pixels with coverage of at least one half (128) are the shape's "solid" pixels: they
/// define its tight box, its area for occlusion, and which object owns a pixel.
/// </summary>
internal sealed class ObjectMask : IDisposable
{
    const int SubPixelBits = 8;
    const byte SolidCoverage = 128;

    /// <summary>Where the mask sits in the image.</summary>
    public Rect Area { get; }
    /// <summary>Coverage 0..255 over <see cref="Area"/>.</summary>
    public Mat Coverage { get; }
    /// <summary>255 where coverage is at least one half, else 0.</summary>
    public Mat Solid { get; }
    public int SolidCount { get; }
    public BoxF TightBox { get; }

    ObjectMask(Rect area, Mat coverage)
    {
        Area = area;
        Coverage = coverage;
        Solid = new Mat();
        Cv2.Threshold(coverage, Solid, SolidCoverage - 1, 255, ThresholdTypes.Binary);
        SolidCount = Cv2.CountNonZero(Solid);
        if (SolidCount == 0) return;
        var r = Cv2.BoundingRect(Solid);
        TightBox = new BoxF(area.X + r.X, area.Y + r.Y, area.X + r.X + r.Width, area.Y + r.Y + r.Height);
    }

    public static ObjectMask Rasterize(ReadOnlySpan<(float X, float Y)> outline, int imageWidth, int imageHeight)
    {
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var (x, y) in outline) { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
        int x0 = Math.Max(0, (int)MathF.Floor(minX) - 1), y0 = Math.Max(0, (int)MathF.Floor(minY) - 1);
        int x1 = Math.Min(imageWidth, (int)MathF.Ceiling(maxX) + 1), y1 = Math.Min(imageHeight, (int)MathF.Ceiling(maxY) + 1);
        var area = new Rect(x0, y0, Math.Max(1, x1 - x0), Math.Max(1, y1 - y0));
        var coverage = new Mat(area.Height, area.Width, MatType.CV_8UC1, Scalar.All(0));
        // OpenCV's pixel centres sit on integer coordinates; the outline's pixel (i, j) covers [i, i+1): shift by half a pixel.
        var points = new Point[outline.Length];
        float scale = 1 << SubPixelBits;
        for (int i = 0; i < outline.Length; i++)
            points[i] = new Point((int)MathF.Round((outline[i].X - 0.5f - x0) * scale), (int)MathF.Round((outline[i].Y - 0.5f - y0) * scale));
        Cv2.FillPoly(coverage, [points], Scalar.All(255), LineTypes.AntiAlias, SubPixelBits);
        return new ObjectMask(area, coverage);
    }

    /// <summary>Adds to covered[i] the solid pixels of this shape that object i currently shows (owner value i + 1).</summary>
    public void CountCovered(Mat owner, Span<int> covered)
    {
        using var ownerArea = new Mat(owner, Area);
        using var same = new Mat();
        using var both = new Mat();
        for (int i = 0; i < covered.Length; i++)
        {
            Cv2.Compare(ownerArea, Scalar.All(i + 1), same, CmpTypes.EQ);
            Cv2.BitwiseAnd(same, Solid, both);
            covered[i] += Cv2.CountNonZero(both);
        }
    }

    /// <summary>Mean image colour (B, G, R) under the solid pixels in each quadrant of the tight box; returns how many quadrants had pixels.</summary>
    public int QuadrantMeans(Mat image, Span<Scalar> means)
    {
        using var imageArea = new Mat(image, Area);
        int midX = (int)MathF.Round(TightBox.CenterX) - Area.X, midY = (int)MathF.Round(TightBox.CenterY) - Area.Y;
        midX = Math.Clamp(midX, 0, Area.Width);
        midY = Math.Clamp(midY, 0, Area.Height);
        int n = 0;
        foreach (var q in new[]
                 {
                     new Rect(0, 0, midX, midY), new Rect(midX, 0, Area.Width - midX, midY),
                     new Rect(0, midY, midX, Area.Height - midY), new Rect(midX, midY, Area.Width - midX, Area.Height - midY),
                 })
        {
            if (q.Width <= 0 || q.Height <= 0) continue;
            using var mask = new Mat(Solid, q);
            if (Cv2.CountNonZero(mask) == 0) continue;
            using var pixels = new Mat(imageArea, q);
            means[n++] = Cv2.Mean(pixels, mask);
        }
        return n;
    }

    /// <summary>
    /// Blends the colour in by coverage (cv2.blendLinear) with a gentle linear shading of ±<paramref name="shading"/>
    /// levels across the shape (lit from one side), and marks solid pixels as owned by <paramref name="id"/>.
    /// </summary>
    public void Paint(Mat image, Mat owner, byte id, Scalar bgr, float shading, float shadeAngle, float cx, float cy, float radius)
    {
        int w = Area.Width, h = Area.Height;
        // Shade = shading * clamp(((x + 0.5 - cx) dx + (y + 0.5 - cy) dy) / radius, -1, 1): a linear field from a row and a column.
        float dx = MathF.Cos(shadeAngle) / radius, dy = MathF.Sin(shadeAngle) / radius;
        using var shade = LinearField(w, h, Area.X + 0.5f - cx, Area.Y + 0.5f - cy, dx, dy);
        Cv2.Max(shade, -1.0, shade);
        Cv2.Min(shade, 1.0, shade);
        using var colour = new Mat();
        var planes = new Mat[3];
        try
        {
            for (int c = 0; c < 3; c++)
            {
                planes[c] = new Mat();
                shade.ConvertTo(planes[c], MatType.CV_8UC1, shading, bgr[c]);
            }
            Cv2.Merge(planes, colour);
        }
        finally
        {
            foreach (var p in planes) p?.Dispose();
        }
        using var weight = new Mat();
        Coverage.ConvertTo(weight, MatType.CV_32FC1, 1 / 255.0);
        using var rest = new Mat();
        Cv2.Subtract(Scalar.All(1.0), weight, rest);
        using var imageArea = new Mat(image, Area);
        Cv2.BlendLinear(colour, imageArea, weight, rest, imageArea);
        using var ownerArea = new Mat(owner, Area);
        ownerArea.SetTo(Scalar.All(id), Solid);
    }

    /// <summary>A w x h float field v(x, y) = (x0 + x) dx + (y0 + y) dy, built from one row and one column.</summary>
    internal static Mat LinearField(int w, int h, float x0, float y0, float dx, float dy)
    {
        using var row = new Mat(1, w, MatType.CV_32FC1);
        using var column = new Mat(h, 1, MatType.CV_32FC1);
        for (int x = 0; x < w; x++) row.Set(0, x, (x0 + x) * dx);
        for (int y = 0; y < h; y++) column.Set(y, 0, (y0 + y) * dy);
        using var rows = new Mat();
        using var columns = new Mat();
        Cv2.Repeat(row, h, 1, rows);
        Cv2.Repeat(column, 1, w, columns);
        var field = new Mat();
        Cv2.Add(rows, columns, field);
        return field;
    }

    public void Dispose()
    {
        Coverage.Dispose();
        Solid.Dispose();
    }
}
