namespace Forge.Data.Imaging;

public static partial class Drawing
{
    /// <summary>
    /// Draws <paramref name="text"/> with <see cref="BitmapFont"/>, top-left corner at (x, y), each font pixel a scale x scale block.
    /// '\n' starts a new line; '\r' is ignored; characters outside printable ASCII show as a box.
    /// </summary>
    public static void Text(RgbImage image, int x, int y, string text, Rgb color, int scale = 1) =>
        DrawText(image, x, y, text, color, scale, vertical: false);

    /// <summary>Like <see cref="Text"/> but rotated a quarter turn anticlockwise (reads bottom to top, as y-axis titles do); (x, y) is the top-left of the rotated block.</summary>
    public static void TextVertical(RgbImage image, int x, int y, string text, Rgb color, int scale = 1) =>
        DrawText(image, x, y, text, color, scale, vertical: true);

    /// <summary>Size in pixels of the block <see cref="Text"/> paints (ink can only appear inside it). Empty text measures 0 x 0.</summary>
    public static (int Width, int Height) MeasureText(string text, int scale = 1)
    {
        if (string.IsNullOrEmpty(text) || scale < 1) return (0, 0);
        int lines = 1, longest = 0, current = 0;
        foreach (char c in text)
        {
            if (c == '\r') continue;
            if (c == '\n') { lines++; current = 0; continue; }
            longest = Math.Max(longest, ++current);
        }
        int width = longest == 0 ? 0 : ((longest - 1) * BitmapFont.Advance + BitmapFont.GlyphWidth) * scale;
        int height = ((lines - 1) * BitmapFont.LineHeight + BitmapFont.GlyphHeight) * scale;
        return (width, height);
    }

    static void DrawText(RgbImage image, int x, int y, string text, Rgb color, int scale, bool vertical)
    {
        if (string.IsNullOrEmpty(text) || scale < 1) return;
        scale = Math.Min(scale, 1 << 12); // beyond this a glyph is larger than any image anyway
        // The rotated block is as tall as the horizontal text is wide: horizontal x maps to vertical y from the bottom up.
        int verticalHeight = vertical ? MeasureText(text, scale).Width : 0;
        long penX = 0, penY = 0;
        foreach (char c in text)
        {
            if (c == '\r') continue;
            if (c == '\n') { penX = 0; penY += BitmapFont.LineHeight * scale; continue; }
            var rows = BitmapFont.GlyphRows(c);
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
            {
                int bits = rows[row];
                if (bits == 0) continue;
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    if ((bits & (1 << (BitmapFont.GlyphWidth - 1 - col))) == 0) continue;
                    long hx = penX + (long)col * scale, hy = penY + (long)row * scale;
                    long bx = vertical ? x + hy : x + hx;
                    long by = vertical ? y + verticalHeight - hx - scale : y + hy;
                    if (bx >= image.Width || by >= image.Height || bx + scale <= 0 || by + scale <= 0) continue;
                    FillRectangle(image, (int)bx, (int)by, scale, scale, color);
                }
            }
            penX += BitmapFont.Advance * scale;
        }
    }
}
