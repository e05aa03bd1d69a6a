namespace Forge.Data.Imaging;

public static partial class Drawing
{
    /// <summary>A circle outline of the given stroke width, centred on the ideal circle of <paramref name="radius"/>.</summary>
    public static void Circle(RgbImage image, float cx, float cy, float radius, Rgb color, int thickness = 1, bool antialias = false)
    {
        if (thickness < 1) return;
        float half = thickness * 0.5f;
        Annulus(image, cx, cy, radius - half, radius + half, color, antialias, 1f);
    }

    /// <summary>A filled disc; aliased discs contain the pixels whose centre is within <paramref name="radius"/>.</summary>
    public static void FillCircle(RgbImage image, float cx, float cy, float radius, Rgb color, bool antialias = false, float alpha = 1f) =>
        Annulus(image, cx, cy, -1f, radius, color, antialias, alpha);

    /// <summary>Blends the ring inner &lt;= distance &lt;= outer (measured to pixel centres); antialiasing ramps one pixel across each edge.</summary>
    static void Annulus(RgbImage image, float cx, float cy, float inner, float outer, Rgb color, bool antialias, float alpha)
    {
        if (!(outer >= 0) || !(alpha > 0f) || !float.IsFinite(cx) || !float.IsFinite(cy) || !float.IsFinite(outer) || !float.IsFinite(inner)) return;
        float reach = outer + 1;
        int x0 = (int)Math.Max(0, MathF.Floor(cx - reach)), x1 = (int)Math.Min(image.Width - 1, MathF.Ceiling(cx + reach));
        int y0 = (int)Math.Max(0, MathF.Floor(cy - reach)), y1 = (int)Math.Min(image.Height - 1, MathF.Ceiling(cy + reach));
        alpha = Math.Min(alpha, 1f);
        byte[] px = image.Pixels;
        for (int y = y0; y <= y1; y++)
        {
            float dy = y + 0.5f - cy;
            for (int x = x0; x <= x1; x++)
            {
                float dx = x + 0.5f - cx;
                float d = MathF.Sqrt(dx * dx + dy * dy);
                float coverage = antialias
                    ? Math.Clamp(Math.Min(outer + 0.5f - d, d - inner + 0.5f), 0f, 1f)
                    : (d <= outer && d >= inner ? 1f : 0f);
                if (coverage > 0f) Blend(px, image.Offset(x, y), color, coverage * alpha);
            }
        }
    }

    /// <summary>
    /// Fills a polygon (closed implicitly) by scanlines. <see cref="FillRule.NonZero"/> keeps self-overlaps filled,
    /// <see cref="FillRule.EvenOdd"/> cuts them out; aliased fills cover the pixels whose centre is inside.
    /// </summary>
    public static void FillPolygon(RgbImage image, ReadOnlySpan<(float X, float Y)> points, Rgb color,
        FillRule rule = FillRule.NonZero, bool antialias = false, float alpha = 1f)
    {
        if (!(alpha > 0f)) return;
        var sink = new BlendSink(image, color, Math.Min(alpha, 1f));
        PolygonRasterizer.Fill(points, image.Width, image.Height, rule, antialias, ref sink);
    }

    struct BlendSink(RgbImage image, Rgb color, float alpha) : ICoverageSink
    {
        public void Row(int y, int x0, ReadOnlySpan<float> coverage)
        {
            byte[] px = image.Pixels;
            int o = image.Offset(x0, y);
            for (int i = 0; i < coverage.Length; i++, o += 3)
            {
                float a = Math.Min(coverage[i], 1f) * alpha;
                if (a > 0.002f) Blend(px, o, color, a);
            }
        }
    }
}
