using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>A boxed list of line samples and names drawn in a corner of a chart's data rectangle.</summary>
internal static class Legend
{
    public readonly record struct Entry(string Name, Rgb Color, int Thickness, LineStyle Style, float MarkerRadius);

    public static void Draw(RgbImage image, PlotArea area, IReadOnlyList<Entry> entries, LegendPosition position,
        IReadOnlyList<IReadOnlyList<(double X, double Y)>> dataForPlacement)
    {
        if (entries.Count == 0 || position == LegendPosition.None) return;
        int s = area.TextScale, pad = 4 * s, sample = 18 * s, rowH = BitmapFont.GlyphHeight * s + 4 * s;
        int textW = 0;
        foreach (var e in entries) textW = Math.Max(textW, Drawing.MeasureText(e.Name, s).Width);
        int boxW = pad + sample + pad + textW + pad, boxH = pad + entries.Count * rowH - 4 * s + pad;
        if (position == LegendPosition.Auto) position = LeastCrowdedCorner(area, boxW, boxH, dataForPlacement);
        int margin = 6 * s;
        bool right = position is LegendPosition.TopRight or LegendPosition.BottomRight;
        bool top = position is LegendPosition.TopRight or LegendPosition.TopLeft;
        int x = right ? area.Right - margin - boxW : area.Left + margin;
        int y = top ? area.Top + margin : area.Bottom - margin - boxH;

        Drawing.FillRectangle(image, x, y, boxW, boxH, Rgb.White, 0.88f);
        Drawing.Rectangle(image, new(x, y, x + boxW, y + boxH), Rgb.Gray(200), 1);
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            int rowTop = y + pad + i * rowH;
            float midY = rowTop + BitmapFont.GlyphHeight * s * 0.5f;
            float x0 = x + pad, x1 = x + pad + sample;
            if (e.Style == LineStyle.Solid)
                Drawing.Line(image, x0, midY, x1, midY, e.Color, Math.Max(1, e.Thickness), antialias: true);
            else
            {
                // A few dashes or dots so the sample reads like the line it stands for.
                float on = e.Style == LineStyle.Dashed ? 5f * s : 2f * s, step = e.Style == LineStyle.Dashed ? 8f * s : 4f * s;
                for (float sx = x0; sx < x1; sx += step)
                    Drawing.Line(image, sx, midY, Math.Min(x1, sx + on), midY, e.Color, Math.Max(1, e.Thickness), antialias: true);
            }
            if (e.MarkerRadius > 0) Drawing.FillCircle(image, (x0 + x1) * 0.5f, midY, e.MarkerRadius, e.Color, antialias: true);
            Drawing.Text(image, x + pad + sample + pad, rowTop, e.Name, PlotArea.TextColor, s);
        }
    }

    static LegendPosition LeastCrowdedCorner(PlotArea area, int boxW, int boxH, IReadOnlyList<IReadOnlyList<(double X, double Y)>> data)
    {
        Span<LegendPosition> order = [LegendPosition.TopRight, LegendPosition.BottomRight, LegendPosition.TopLeft, LegendPosition.BottomLeft];
        Span<int> hits = stackalloc int[4];
        foreach (var series in data)
            foreach (var (x, y) in series)
            {
                if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
                float px = area.PixelX(x), py = area.PixelY(y);
                bool nearRight = px >= area.Right - boxW - 8, nearLeft = px <= area.Left + boxW + 8;
                bool nearTop = py <= area.Top + boxH + 8, nearBottom = py >= area.Bottom - boxH - 8;
                if (nearTop && nearRight) hits[0]++;
                if (nearBottom && nearRight) hits[1]++;
                if (nearTop && nearLeft) hits[2]++;
                if (nearBottom && nearLeft) hits[3]++;
            }
        int best = 0;
        for (int i = 1; i < 4; i++) if (hits[i] < hits[best]) best = i;
        return order[best];
    }
}
