using Forge.Data.Imaging;

namespace Forge.Data.Plots;

/// <summary>
/// The training overview image (like Ultralytics' results.png): one small chart per results.csv column against the epoch,
/// each with the raw values and a smoothed trend, laid out in a grid of up to five columns.
/// </summary>
public static class ResultsPlot
{
    const int CellWidth = 400, CellHeight = 300, MaxGridColumns = 5;

    public static void Render(string resultsCsvPath, string outputPng) =>
        RenderImage(ResultsTable.Read(resultsCsvPath)).Save(outputPng);

    public static RgbImage RenderImage(ResultsTable table)
    {
        int charts = Math.Max(1, table.Headers.Count - 1);
        int gridColumns = Math.Min(MaxGridColumns, charts);
        int gridRows = (charts + gridColumns - 1) / gridColumns;
        var image = RgbImage.Filled(gridColumns * CellWidth, gridRows * CellHeight, 255);
        double[] epochs = table.Columns.Count > 0 ? table.Columns[0] : [];
        if (table.Headers.Count < 2)
        {
            var only = new LineChart { Title = table.Headers.Count == 1 ? table.Headers[0] : "results", TextScale = 1 };
            only.RenderInto(image, 0, 0, CellWidth, CellHeight);
            return image;
        }
        // Raw values in one colour with dots, the trend dotted in another, as in Ultralytics' plots.
        var raw = Palette.ForClass(2);
        var trend = Palette.ForClass(3);
        for (int c = 1; c < table.Headers.Count; c++)
        {
            double[] values = table.Columns[c];
            double[] smooth = Smoothing.Gaussian(values, sigma: 3);
            var rawPoints = new (double, double)[values.Length];
            var smoothPoints = new (double, double)[values.Length];
            for (int r = 0; r < values.Length; r++) { rawPoints[r] = (epochs[r], values[r]); smoothPoints[r] = (epochs[r], smooth[r]); }
            var chart = new LineChart { Title = table.Headers[c], TextScale = 1, Legend = c == 1 ? LegendPosition.Auto : LegendPosition.None };
            chart.Series.Add(new LineSeries("results", rawPoints) { Color = raw, Thickness = 2, MarkerRadius = 2.2f });
            chart.Series.Add(new LineSeries("smooth", smoothPoints) { Color = trend, Thickness = 2, Style = LineStyle.Dotted });
            int index = c - 1;
            chart.RenderInto(image, index % gridColumns * CellWidth, index / gridColumns * CellHeight, CellWidth, CellHeight);
        }
        return image;
    }
}
