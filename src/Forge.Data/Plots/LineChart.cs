using Forge.Data.Imaging;

namespace Forge.Data.Plots;

/// <summary>
/// A line chart: several named series of (x, y) points on a white background with numeric axes, grid, title and legend.
/// Ranges are fitted to the data unless fixed with <see cref="XRange"/> / <see cref="YRange"/>; lines are clipped to the axes.
/// </summary>
public sealed class LineChart
{
    public string? Title { get; set; }
    public string? XLabel { get; set; }
    public string? YLabel { get; set; }
    public (double Min, double Max)? XRange { get; set; }
    public (double Min, double Max)? YRange { get; set; }
    public LegendPosition Legend { get; set; } = LegendPosition.Auto;
    /// <summary>Font scale of tick labels and legend (the title is one step larger); 0 picks it from the chart size.</summary>
    public int TextScale { get; set; }
    public List<LineSeries> Series { get; } = [];

    public LineSeries AddSeries(string name, IReadOnlyList<(double X, double Y)> points, Rgb? color = null)
    {
        var series = new LineSeries(name, points) { Color = color };
        Series.Add(series);
        return series;
    }

    public LineSeries AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, Rgb? color = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"series '{name}': {x.Count} x values but {y.Count} y values; they must pair up");
        var points = new (double, double)[x.Count];
        for (int i = 0; i < points.Length; i++) points[i] = (x[i], y[i]);
        return AddSeries(name, points, color);
    }

    public RgbImage Render(int width, int height)
    {
        var image = RgbImage.Filled(width, height, 255);
        RenderInto(image, 0, 0, width, height);
        return image;
    }

    public void Save(string path, int width = 640, int height = 480) => Render(width, height).Save(path);

    /// <summary>Draws the chart into a region of an existing image (used for grids of charts); the region is not cleared.</summary>
    public void RenderInto(RgbImage image, int x, int y, int width, int height)
    {
        int scale = TextScale > 0 ? TextScale : AutoTextScale(width, height);
        var xRange = XRange ?? DataRange(useX: true);
        var yRange = YRange ?? DataRange(useX: false);
        if (!(xRange.Max > xRange.Min)) xRange = AxisTicks.AutoRange(xRange.Min, xRange.Max);
        if (!(yRange.Max > yRange.Min)) yRange = AxisTicks.AutoRange(yRange.Min, yRange.Max);
        var area = PlotArea.Layout(x, y, width, height, scale, Title, XLabel, YLabel, xRange, yRange);
        area.DrawAxes(image);

        bool anyData = false;
        var legend = new List<Legend.Entry>();
        var data = new List<IReadOnlyList<(double X, double Y)>>();
        for (int i = 0; i < Series.Count; i++)
        {
            var s = Series[i];
            var color = s.Color ?? Palette.ForClass(i);
            area.DrawLine(image, s.Points, color, s.Thickness, s.Style);
            area.DrawMarkers(image, s.Points, color, s.MarkerRadius);
            foreach (var (px, py) in s.Points) anyData |= double.IsFinite(px) && double.IsFinite(py);
            if (s.ShowInLegend && !string.IsNullOrEmpty(s.Name)) legend.Add(new(s.Name, color, s.Thickness, s.Style, s.MarkerRadius));
            data.Add(s.Points);
        }
        if (!anyData) area.DrawNote(image, "no data");
        else Plots.Legend.Draw(image, area, legend, Legend, data);
    }

    /// <summary>Crisp 8-pixel glyphs up to about 700 pixels on the shorter side, one step larger per 400 pixels beyond.</summary>
    internal static int AutoTextScale(int width, int height) => 1 + Math.Max(0, (Math.Min(width, height) - 300) / 400);

    (double Min, double Max) DataRange(bool useX)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var s in Series)
            foreach (var (px, py) in s.Points)
            {
                if (!double.IsFinite(px) || !double.IsFinite(py)) continue;
                double v = useX ? px : py;
                if (v < min) min = v;
                if (v > max) max = v;
            }
        return double.IsFinite(min) ? AxisTicks.AutoRange(min, max) : (0, 1);
    }
}
