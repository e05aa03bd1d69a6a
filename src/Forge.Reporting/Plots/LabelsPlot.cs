using ScottPlot;

namespace Forge.Reporting.Plots;

/// <summary>
/// labels.jpg, an overview of the training labels (as Ultralytics' plot_labels): instances per class, up to 500 boxes drawn
/// around one centre to compare their shapes, and 2-D histograms of box centres (x, y) and sizes (width, height), to spot
/// class imbalance or odd annotations before training. Labels are normalised (cx, cy, w, h in 0..1), as in YOLO label files.
/// </summary>
public static class LabelsPlot
{
    const int Side = 1600, Bins = 50, MaxOverlaidBoxes = 500;
    const float Scale = 2f;

    public static void Render(IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, string[] names, string path) =>
        PlotStyle.Save(RenderImage(labels, names), path);

    public static Image RenderImage(IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, string[] names)
    {
        var valid = labels.Where(l => l.Class >= 0 && float.IsFinite(l.X) && float.IsFinite(l.Y) && float.IsFinite(l.W) && float.IsFinite(l.H)).ToList();
        var plots = new List<Plot?>
        {
            Instances(valid, names), Boxes(valid),
            Histogram2D(valid.Select(l => ((double)l.X, (double)l.Y)), "x", "y"),
            Histogram2D(valid.Select(l => ((double)l.W, (double)l.H)), "width", "height"),
        };
        return PlotStyle.Grid(plots, 2, Side / 2, Side / 2);
    }

    static Plot Instances(List<(int Class, float X, float Y, float W, float H)> labels, string[] names)
    {
        int classes = Math.Max(names.Length, labels.Count == 0 ? 0 : labels.Max(l => l.Class) + 1);
        var counts = new int[classes];
        foreach (var l in labels) counts[l.Class]++;
        var plot = PlotStyle.NewPlot(Scale);
        var bars = Enumerable.Range(0, classes).Select(c => new Bar
        {
            Position = c, Value = counts[c], FillColor = PlotStyle.Cycle[c % PlotStyle.Cycle.Length], LineWidth = 0, Size = 0.8,
        }).ToArray();
        plot.Add.Bars(bars);
        plot.YLabel("instances");
        if (classes is > 0 and < 30)
            PlotStyle.CategoryTicks(plot, Enumerable.Range(0, classes)
                .Select(c => c < names.Length ? names[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                slotWidth: (Side / 2f / Scale - 80) / classes);
        else plot.XLabel("classes");
        plot.Axes.Margins(bottom: 0);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        return plot;
    }

    static Plot Boxes(List<(int Class, float X, float Y, float W, float H)> labels)
    {
        var plot = PlotStyle.NewPlot(Scale);
        foreach (var l in labels.Take(MaxOverlaidBoxes))
        {
            var r = plot.Add.Rectangle(0.5 - l.W / 2.0, 0.5 + l.W / 2.0, 0.5 - l.H / 2.0, 0.5 + l.H / 2.0);
            r.FillStyle.Color = Colors.Transparent;
            r.LineStyle.Color = PlotStyle.Cycle[l.Class % PlotStyle.Cycle.Length];
            r.LineStyle.Width = 1;
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.SquareUnits();
        plot.Layout.Frameless();
        plot.HideGrid();
        return plot;
    }

    /// <summary>Counts in a 50 x 50 grid over [0, 1]², from light to dark blue up to the 90th percentile of the non-empty cells
    /// (seaborn's pmax=0.9 in Ultralytics), empty cells white.</summary>
    static Plot Histogram2D(IEnumerable<(double X, double Y)> points, string xLabel, string yLabel)
    {
        var counts = new double[Bins, Bins];   // [row from the top, column]
        foreach (var (x, y) in points)
        {
            int c = Math.Clamp((int)(x * Bins), 0, Bins - 1), r = Math.Clamp((int)(y * Bins), 0, Bins - 1);
            counts[Bins - 1 - r, c]++;
        }
        var filled = counts.Cast<double>().Where(v => v > 0).Order().ToArray();
        double top = filled.Length == 0 ? 1 : Math.Max(1, filled[(int)Math.Floor(0.9 * (filled.Length - 1))]);
        for (int r = 0; r < Bins; r++) for (int c = 0; c < Bins; c++) if (counts[r, c] == 0) counts[r, c] = double.NaN;

        var plot = PlotStyle.NewPlot(Scale);
        if (filled.Length > 0)   // ScottPlot cannot colour a heatmap of NaN cells only
        {
            var heatmap = plot.Add.Heatmap(counts);
            heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
            heatmap.ManualRange = new ScottPlot.Range(-0.15 * top, top);   // a single box still shows
            heatmap.NaNCellColor = Colors.White;
            heatmap.Extent = new CoordinateRect(0, 1, 0, 1);
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }
}
