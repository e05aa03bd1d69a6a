using ScottPlot;

namespace Forge.Reporting.Plots;

/// <summary>
/// results.png, the training overview (as Ultralytics' plot_results): one small chart per results.csv column against the
/// epoch, the values with markers and a dotted Gaussian-smoothed trend (σ = 3 epochs). Ultralytics' ten detection columns
/// come first in its 2 x 5 layout (training losses, precision, recall; validation losses, mAP50, mAP50-95); further
/// columns (learning rates, epoch time, memory) follow in rows of five.
/// </summary>
public static class ResultsPlot
{
    const int Columns = 5, CellWidth = 480, CellHeight = 600;
    const float Scale = 2f;

    /// <summary>The Ultralytics layout: row 1 then row 2.</summary>
    static readonly string[] UltralyticsOrder =
    [
        "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
        "val/box_loss", "val/cls_loss", "val/dfl_loss", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
    ];

    /// <exception cref="FileNotFoundException">No results file.</exception>
    /// <exception cref="InvalidDataException">The file has no header row.</exception>
    public static void Render(string resultsCsvPath, string outputPng) => PlotStyle.Save(RenderImage(ResultsTable.Read(resultsCsvPath)), outputPng);

    /// <summary>The charts' columns in layout order.</summary>
    public static IReadOnlyList<string> Layout(ResultsTable table)
    {
        var rest = table.Columns.Skip(1).ToList();
        var known = UltralyticsOrder.Where(rest.Contains).ToList();
        return [.. known, .. rest.Where(c => !known.Contains(c))];
    }

    public static Image RenderImage(ResultsTable table)
    {
        var charts = Layout(table);
        int n = Math.Max(1, charts.Count);
        double[] epochs = table.Columns.Count > 0 ? table.Column(table.Columns[0]) : [];
        var plots = new List<Plot?>();
        for (int i = 0; i < n; i++)
        {
            var plot = PlotStyle.NewPlot(Scale);
            if (i < charts.Count) Chart(plot, charts[i], epochs, table.Column(charts[i]), legend: i == 1);
            else plot.Title(table.Columns.Count > 0 ? table.Columns[0] : "results");   // a file with no value column
            plots.Add(plot);
        }
        return PlotStyle.Grid(plots, Columns, CellWidth, CellHeight);
    }

    static void Chart(Plot plot, string name, double[] epochs, double[] values, bool legend)
    {
        plot.Title(name, size: 12);
        var (x, y) = PlotStyle.Finite(epochs, values);
        if (x.Length == 0) return;
        var raw = plot.Add.Scatter(x, y, PlotStyle.Cycle[0]);
        raw.LineWidth = 2;
        raw.MarkerSize = 6;
        raw.LegendText = "results";
        // Learning rates follow a schedule: a trend line would only blur its warm-up.
        if (!name.StartsWith("lr/", StringComparison.Ordinal) && x.Length > 1)
        {
            var smooth = plot.Add.ScatterLine(x, Smoothing.Gaussian(y, sigma: 3), PlotStyle.Cycle[1]);
            smooth.LineWidth = 2;
            smooth.LinePattern = LinePattern.Dotted;
            smooth.LegendText = "smooth";
        }
        if (legend) plot.ShowLegend(Alignment.UpperRight);
        else plot.HideLegend();
    }
}
