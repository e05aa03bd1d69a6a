namespace Forge.Data.Imaging;

public static partial class Drawing
{
    /// <summary>
    /// A straight line with butt ends. Aliased one-pixel lines use Bresenham between the pixels containing the end points;
    /// thicker or antialiased lines are filled as a rectangle around the segment.
    /// </summary>
    public static void Line(RgbImage image, float x0, float y0, float x1, float y1, Rgb color, int thickness = 1, bool antialias = false, float alpha = 1f)
    {
        if (thickness < 1 || !(alpha > 0f)) return;
        double ax = x0, ay = y0, bx = x1, by = y1;
        if (!double.IsFinite(ax) || !double.IsFinite(ay) || !double.IsFinite(bx) || !double.IsFinite(by)) return;
        if (thickness == 1 && !antialias)
        {
            // Keep a hair inside the right/bottom edge so flooring never lands on Width or Height.
            if (!SegmentClipping.Clip(ref ax, ref ay, ref bx, ref by, 0, 0, image.Width - 1e-3, image.Height - 1e-3)) return;
            Bresenham(image, (int)Math.Floor(ax), (int)Math.Floor(ay), (int)Math.Floor(bx), (int)Math.Floor(by), color, alpha);
            return;
        }
        double pad = thickness + 2;
        if (!SegmentClipping.Clip(ref ax, ref ay, ref bx, ref by, -pad, -pad, image.Width + pad, image.Height + pad)) return;
        double dx = bx - ax, dy = by - ay, len = Math.Sqrt(dx * dx + dy * dy);
        float half = thickness * 0.5f;
        if (len < 1e-9)
        {
            FillCircle(image, (float)ax, (float)ay, half, color, antialias, alpha);
            return;
        }
        float nx = (float)(-dy / len) * half, ny = (float)(dx / len) * half;
        Span<(float X, float Y)> quad =
        [
            ((float)ax + nx, (float)ay + ny), ((float)bx + nx, (float)by + ny),
            ((float)bx - nx, (float)by - ny), ((float)ax - nx, (float)ay - ny),
        ];
        FillPolygon(image, quad, color, FillRule.NonZero, antialias, alpha);
    }

    /// <summary>Connected line segments; thick lines get round joins so corners do not show notches.</summary>
    public static void Polyline(RgbImage image, ReadOnlySpan<(float X, float Y)> points, Rgb color, int thickness = 1, bool closed = false, bool antialias = false)
    {
        int n = points.Length;
        if (n == 0 || thickness < 1) return;
        if (n == 1) { Line(image, points[0].X, points[0].Y, points[0].X, points[0].Y, color, thickness, antialias); return; }
        int segments = closed ? n : n - 1;
        for (int i = 0; i < segments; i++)
        {
            var a = points[i];
            var b = points[(i + 1) % n];
            Line(image, a.X, a.Y, b.X, b.Y, color, thickness, antialias);
        }
        if (thickness <= 2) return;
        int firstJoin = closed ? 0 : 1, lastJoin = closed ? n - 1 : n - 2;
        for (int i = firstJoin; i <= lastJoin; i++) FillCircle(image, points[i].X, points[i].Y, thickness * 0.5f, color, antialias);
    }

    static void Bresenham(RgbImage image, int x0, int y0, int x1, int y1, Rgb color, float alpha)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        byte[] px = image.Pixels;
        while (true)
        {
            if ((uint)x0 < (uint)image.Width && (uint)y0 < (uint)image.Height) Blend(px, image.Offset(x0, y0), color, alpha);
            if (x0 == x1 && y0 == y1) return;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }
}
