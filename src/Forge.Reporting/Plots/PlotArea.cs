using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>
/// The axes of one chart inside a region of an image: lays out title, tick labels and axis titles around a data rectangle,
/// draws frame, grid and labels, and maps data coordinates to pixels with lines clipped to the data rectangle.
/// </summary>
internal sealed class PlotArea
{
    public static readonly Rgb TextColor = Rgb.Gray(30);
    public static readonly Rgb FrameColor = Rgb.Gray(90);
    public static readonly Rgb GridColor = Rgb.Gray(228);

    public int Left { get; }
    public int Top { get; }
    public int Right { get; }
    public int Bottom { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }
    public int TextScale { get; }

    readonly (double[] Values, double Step) xTicks, yTicks;
    readonly string? title, xLabel, yLabel;
    readonly int regionX, regionY, regionW, regionH;
    readonly IReadOnlyList<string>? categories;
    readonly bool verticalCategories;

    PlotArea(int left, int top, int right, int bottom, (double, double) x, (double, double) y, int textScale,
        (double[], double) xTicks, (double[], double) yTicks, string? title, string? xLabel, string? yLabel,
        int regionX, int regionY, int regionW, int regionH, IReadOnlyList<string>? categories, bool verticalCategories)
    {
        this.categories = categories; this.verticalCategories = verticalCategories;
        Left = left; Top = top; Right = right; Bottom = bottom;
        (XMin, XMax) = x; (YMin, YMax) = y;
        TextScale = textScale;
        this.xTicks = xTicks; this.yTicks = yTicks;
        this.title = title; this.xLabel = xLabel; this.yLabel = yLabel;
        this.regionX = regionX; this.regionY = regionY; this.regionW = regionW; this.regionH = regionH;
    }

    public int Width => Right - Left;
    public int Height => Bottom - Top;

    /// <summary>
    /// Fits axes into the region (x, y, width, height): margins grow to fit the labels, ticks are spaced to fit the space left.
    /// With <paramref name="xCategories"/> the x axis shows those names at 0, 1, 2, ... (set xRange to (-0.5, n - 0.5)),
    /// turned vertical when they do not fit side by side.
    /// </summary>
    public static PlotArea Layout(int x, int y, int width, int height, int textScale, string? title, string? xLabel, string? yLabel,
        (double Min, double Max) xRange, (double Min, double Max) yRange, IReadOnlyList<string>? xCategories = null)
    {
        int s = Math.Max(1, textScale);
        int charH = BitmapFont.GlyphHeight * s, gap = 4 * s;
        int titleScale = s + 1;
        int xTickLabelH = charH;
        bool vertical = false;
        if (xCategories is { Count: > 0 })
        {
            int widest = 0;
            foreach (string name in xCategories) widest = Math.Max(widest, Drawing.MeasureText(name, s).Width);
            vertical = widest > width * 0.8 / xCategories.Count - 2 * gap; // estimate: the data area is most of the width
            if (vertical) xTickLabelH = Math.Min(widest, height / 3);
        }
        int top = y + gap + (string.IsNullOrEmpty(title) ? 0 : BitmapFont.GlyphHeight * titleScale + gap);
        int bottom = y + height - gap - xTickLabelH - gap - (string.IsNullOrEmpty(xLabel) ? 0 : charH + gap);
        int plotH = Math.Max(10, bottom - top);
        var yt = AxisTicks.Ticks(yRange.Min, yRange.Max, Math.Clamp(plotH / (charH * 4), 2, 10));
        int widestY = 0;
        foreach (double v in yt.Values) widestY = Math.Max(widestY, Drawing.MeasureText(AxisTicks.Format(v, yt.Step), s).Width);
        int left = x + gap + widestY + gap + (string.IsNullOrEmpty(yLabel) ? 0 : charH + gap);
        int right = x + width - Math.Max(gap * 2, 3 * BitmapFont.Advance * s); // room for half of the last x label
        int plotW = Math.Max(10, right - left);
        (double[], double) xt;
        if (xCategories is { Count: > 0 })
        {
            var positions = new double[xCategories.Count];
            for (int i = 0; i < positions.Length; i++) positions[i] = i;
            xt = (positions, 1);
        }
        else
        {
            // Estimate label width from the range ends, then space ticks so labels never touch.
            var probe = AxisTicks.Ticks(xRange.Min, xRange.Max, 10);
            int widestX = Math.Max(Drawing.MeasureText(AxisTicks.Format(xRange.Min, probe.Step), s).Width,
                                   Drawing.MeasureText(AxisTicks.Format(xRange.Max, probe.Step), s).Width);
            xt = AxisTicks.Ticks(xRange.Min, xRange.Max, Math.Clamp(plotW / (widestX + 6 * BitmapFont.Advance * s), 2, 12));
        }
        return new PlotArea(left, top, left + plotW, top + plotH, xRange, yRange, s, xt, yt, title, xLabel, yLabel, x, y, width, height,
            xCategories, vertical);
    }

    public float PixelX(double x) => (float)(Left + (x - XMin) / (XMax - XMin) * Width);
    public float PixelY(double y) => (float)(Bottom - (y - YMin) / (YMax - YMin) * Height);

    /// <summary>Grid, frame, ticks, tick labels, axis titles and the chart title.</summary>
    public void DrawAxes(RgbImage image)
    {
        int s = TextScale, charH = BitmapFont.GlyphHeight * s, gap = 4 * s, tick = 3 * s;
        foreach (double v in yTicks.Values)
        {
            int py = (int)MathF.Round(PixelY(v));
            Drawing.FillRectangle(image, Left, py, Width, 1, GridColor);
            Drawing.FillRectangle(image, Left - tick, py, tick, 1, FrameColor);
            string label = AxisTicks.Format(v, yTicks.Step);
            var (w, _) = Drawing.MeasureText(label, s);
            Drawing.Text(image, Left - tick - gap / 2 - w, py - charH / 2, label, TextColor, s);
        }
        for (int i = 0; i < xTicks.Values.Length; i++)
        {
            double v = xTicks.Values[i];
            int px = (int)MathF.Round(PixelX(v));
            if (categories is null) Drawing.FillRectangle(image, px, Top, 1, Height, GridColor);
            Drawing.FillRectangle(image, px, Bottom, 1, tick, FrameColor);
            string label = categories is null ? AxisTicks.Format(v, xTicks.Step) : categories[i];
            var (w, _) = Drawing.MeasureText(label, s);
            if (verticalCategories) Drawing.TextVertical(image, px - charH / 2, Bottom + tick + gap / 2, label, TextColor, s);
            else Drawing.Text(image, px - w / 2, Bottom + tick + gap / 2, label, TextColor, s);
        }
        Drawing.Rectangle(image, new(Left - 1, Top - 1, Right + 1, Bottom + 1), FrameColor, 1);

        if (!string.IsNullOrEmpty(title))
        {
            int ts = s + 1;
            var (w, _) = Drawing.MeasureText(title, ts);
            int tx = Math.Max(regionX + gap, (Left + Right) / 2 - w / 2);
            Drawing.Text(image, tx, regionY + gap, title, Rgb.Black, ts);
        }
        if (!string.IsNullOrEmpty(xLabel))
        {
            var (w, _) = Drawing.MeasureText(xLabel, s);
            Drawing.Text(image, (Left + Right) / 2 - w / 2, regionY + regionH - gap - charH, xLabel, TextColor, s);
        }
        if (!string.IsNullOrEmpty(yLabel))
        {
            var (w, _) = Drawing.MeasureText(yLabel, s);
            Drawing.TextVertical(image, regionX + gap, Math.Max(Top, (Top + Bottom) / 2 - w / 2), yLabel, TextColor, s);
        }
    }

    /// <summary>Text centred in the data rectangle, e.g. "no data".</summary>
    public void DrawNote(RgbImage image, string note)
    {
        var (w, h) = Drawing.MeasureText(note, TextScale);
        Drawing.Text(image, (Left + Right) / 2 - w / 2, (Top + Bottom) / 2 - h / 2, note, Rgb.Gray(140), TextScale);
    }

    /// <summary>Draws a series as connected segments clipped to the data rectangle; non-finite points break the line.</summary>
    public void DrawLine(RgbImage image, IReadOnlyList<(double X, double Y)> points, Rgb color, int thickness, LineStyle style)
    {
        if (thickness < 1) return;
        float phase = 0;
        bool havePrev = false;
        double px0 = 0, py0 = 0;
        for (int i = 0; i < points.Count; i++)
        {
            var (x, y) = points[i];
            if (!double.IsFinite(x) || !double.IsFinite(y)) { havePrev = false; continue; }
            double px1 = PixelX(x), py1 = PixelY(y);
            if (havePrev)
            {
                double ax = px0, ay = py0, bx = px1, by = py1;
                if (SegmentClipping.Clip(ref ax, ref ay, ref bx, ref by, Left, Top, Right, Bottom))
                {
                    StyledSegment(image, ax, ay, bx, by, color, thickness, style, ref phase);
                    // Round joins keep thick polylines free of notches at corners.
                    if (style == LineStyle.Solid && thickness > 2 && bx == px1 && by == py1)
                        Drawing.FillCircle(image, (float)bx, (float)by, thickness * 0.5f, color, antialias: true);
                }
            }
            px0 = px1; py0 = py1; havePrev = true;
        }
    }

    public void DrawMarkers(RgbImage image, IReadOnlyList<(double X, double Y)> points, Rgb color, float radius)
    {
        if (!(radius > 0)) return;
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y) || x < XMin || x > XMax || y < YMin || y > YMax) continue;
            Drawing.FillCircle(image, PixelX(x), PixelY(y), radius, color, antialias: true);
        }
    }

    static void StyledSegment(RgbImage image, double ax, double ay, double bx, double by, Rgb color, int thickness, LineStyle style, ref float phase)
    {
        if (style == LineStyle.Solid)
        {
            Drawing.Line(image, (float)ax, (float)ay, (float)bx, (float)by, color, thickness, antialias: true);
            return;
        }
        // Dash pattern in pixels, scaled with the stroke so thick dotted lines still look dotted; phase carries across segments.
        float on = style == LineStyle.Dashed ? 6f * thickness : 1.5f * thickness;
        float off = style == LineStyle.Dashed ? 4f * thickness : 2f * thickness;
        float period = on + off;
        double dx = bx - ax, dy = by - ay, length = Math.Sqrt(dx * dx + dy * dy);
        if (length <= 0) return;
        double pos = 0;
        while (pos < length)
        {
            float inPeriod = phase % period;
            bool drawing = inPeriod < on;
            double run = Math.Min((drawing ? on : period) - inPeriod, length - pos);
            if (drawing)
            {
                double t0 = pos / length, t1 = (pos + run) / length;
                Drawing.Line(image, (float)(ax + dx * t0), (float)(ay + dy * t0), (float)(ax + dx * t1), (float)(ay + dy * t1), color, thickness, antialias: true);
            }
            pos += run;
            phase += (float)run;
        }
    }
}
