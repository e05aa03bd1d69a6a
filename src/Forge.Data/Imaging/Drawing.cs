using Forge.Core.Geometry;

namespace Forge.Data.Imaging;

/// <summary>
/// Drawing on <see cref="RgbImage"/>: rectangles, lines, circles, polygons, text and detection labels.
/// Float coordinates are continuous: pixel (i, j) covers [i, i+1) x [j, j+1), so i + 0.5 is a pixel centre.
/// Everything clips to the image; out-of-range, inverted or non-finite coordinates draw nothing (or the visible part) and never throw.
/// </summary>
public static partial class Drawing
{
    /// <summary>Fills a pixel rectangle, blending with <paramref name="alpha"/> (0 = unchanged, 1 = opaque).</summary>
    public static void FillRectangle(RgbImage image, int x, int y, int width, int height, Rgb color, float alpha = 1f)
    {
        if (!(alpha > 0f) || width <= 0 || height <= 0) return;
        long x0 = Math.Max(0L, x), y0 = Math.Max(0L, y);
        long x1 = Math.Min(image.Width, (long)x + width), y1 = Math.Min(image.Height, (long)y + height);
        if (x0 >= x1 || y0 >= y1) return;
        byte[] px = image.Pixels;
        int w = (int)(x1 - x0);
        if (alpha >= 1f)
        {
            // Paint the first row, then copy it: faster than per-pixel writes for wide fills.
            int first = image.Offset((int)x0, (int)y0);
            for (int i = 0; i < w; i++) { px[first + 3 * i] = color.R; px[first + 3 * i + 1] = color.G; px[first + 3 * i + 2] = color.B; }
            var row = px.AsSpan(first, 3 * w);
            for (long yy = y0 + 1; yy < y1; yy++) row.CopyTo(px.AsSpan(image.Offset((int)x0, (int)yy), 3 * w));
            return;
        }
        for (long yy = y0; yy < y1; yy++)
        {
            int o = image.Offset((int)x0, (int)yy);
            for (int i = 0; i < w; i++, o += 3) Blend(px, o, color, alpha);
        }
    }

    /// <summary>Outlines <paramref name="box"/> (pixel corners, rounded) with lines <paramref name="thickness"/> wide, growing inwards so the outer edge is the box.</summary>
    public static void Rectangle(RgbImage image, BoxF box, Rgb color, int thickness = 1)
    {
        if (!TryPixelRect(image, box, thickness, out int x1, out int y1, out int x2, out int y2)) return;
        int w = x2 - x1, h = y2 - y1;
        int t = Math.Clamp(thickness, 1, Math.Max(1, Math.Min((w + 1) / 2, (h + 1) / 2)));
        FillRectangle(image, x1, y1, w, t, color);
        FillRectangle(image, x1, y2 - t, w, t, color);
        FillRectangle(image, x1, y1 + t, t, h - 2 * t, color);
        FillRectangle(image, x2 - t, y1 + t, t, h - 2 * t, color);
    }

    /// <summary>Rounds a float box to pixel edges [x1, x2) x [y1, y2), at least one pixel, with far-away coordinates clamped just outside the image.</summary>
    static bool TryPixelRect(RgbImage image, BoxF box, int margin, out int x1, out int y1, out int x2, out int y2)
    {
        x1 = y1 = x2 = y2 = 0;
        if (!float.IsFinite(box.X1) || !float.IsFinite(box.Y1) || !float.IsFinite(box.X2) || !float.IsFinite(box.Y2)) return false;
        int m = Math.Clamp(margin, 1, 1 << 16) + 1;
        x1 = ClampRound(Math.Min(box.X1, box.X2), -m, image.Width + m);
        x2 = ClampRound(Math.Max(box.X1, box.X2), -m, image.Width + m);
        y1 = ClampRound(Math.Min(box.Y1, box.Y2), -m, image.Height + m);
        y2 = ClampRound(Math.Max(box.Y1, box.Y2), -m, image.Height + m);
        if (x2 <= x1) x2 = x1 + 1;
        if (y2 <= y1) y2 = y1 + 1;
        return true;
    }

    static int ClampRound(float v, int lo, int hi) => (int)MathF.Round(Math.Clamp(v, lo, hi));

    /// <summary>Mixes <paramref name="color"/> into the pixel at byte offset <paramref name="o"/> with weight <paramref name="alpha"/> in (0, 1].</summary>
    internal static void Blend(byte[] px, int o, Rgb color, float alpha)
    {
        if (alpha >= 1f)
        {
            px[o] = color.R; px[o + 1] = color.G; px[o + 2] = color.B;
            return;
        }
        px[o] = (byte)(px[o] + (color.R - px[o]) * alpha + 0.5f);
        px[o + 1] = (byte)(px[o + 1] + (color.G - px[o + 1]) * alpha + 0.5f);
        px[o + 2] = (byte)(px[o + 2] + (color.B - px[o + 2]) * alpha + 0.5f);
    }
}
