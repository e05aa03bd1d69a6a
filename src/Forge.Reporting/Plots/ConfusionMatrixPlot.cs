using System.Globalization;
using ScottPlot;

namespace Forge.Reporting.Plots;

/// <summary>
/// confusion_matrix.png and confusion_matrix_normalized.png, as Ultralytics draws them (utils/metrics.py ConfusionMatrix.plot):
/// a heatmap in the Blues colormap with predicted classes down (rows) and true classes across (columns), the last of each
/// "background"; values printed in the cells up to 30 classes (counts as integers, fractions with two decimals, cells
/// below 0.005 left blank), a colour bar on the right. The normalised matrix divides each column by its total, so a cell
/// reads "fraction of the true class predicted as this row".
/// </summary>
public static class ConfusionMatrixPlot
{
    const float Scale = 2f;
    const int MaxAnnotatedClasses = 30;

    /// <exception cref="ArgumentException">The matrix is not square and non-empty, or the names do not fit it.</exception>
    public static void Render(double[,] matrix, string[] classNames, bool normalized, string path) =>
        PlotStyle.Save(RenderImage(matrix, classNames, normalized), path);

    /// <param name="matrix">[predicted, true] counts or fractions.</param>
    /// <param name="classNames">One name per row/column, or one fewer, in which case "background" is appended.</param>
    /// <param name="normalized">Draw fractions of each true class (the matrix is normalised here when its columns do not already sum to 1).</param>
    public static Image RenderImage(double[,] matrix, string[] classNames, bool normalized)
    {
        int n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
            throw new ArgumentException($"confusion matrix must be square and non-empty, got {matrix.GetLength(0)}x{matrix.GetLength(1)}");
        string[] names = classNames.Length == n ? classNames
            : classNames.Length == n - 1 ? [.. classNames, "background"]
            : throw new ArgumentException($"{classNames.Length} class names for a {n}x{n} matrix; give {n - 1} (background is added) or {n}");

        double[,] shown = normalized ? NormalizeColumns(matrix) : (double[,])matrix.Clone();
        double max = 0;
        foreach (double v in shown) if (double.IsFinite(v)) max = Math.Max(max, v);
        // Blank cells, as Ultralytics' heatmap does for values below 0.005.
        for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) if (!(shown[r, c] >= 0.005)) shown[r, c] = double.NaN;

        int side = Math.Clamp(200 + 80 * n, 1000, 2400);
        var plot = PlotStyle.NewPlot(Scale);
        var heatmap = plot.Add.Heatmap(shown);   // cell (r, c) centred on (c, n - 1 - r): row 0 on top
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(0, normalized ? 1 : Math.Max(1, max));
        heatmap.NaNCellColor = Colors.White;
        plot.Add.ColorBar(heatmap);

        if (n <= MaxAnnotatedClasses)
        {
            float size = n <= 10 ? 14 : n <= 20 ? 10 : 7;
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++)
                {
                    if (double.IsNaN(shown[r, c])) continue;
                    string label = normalized ? shown[r, c].ToString("0.00", CultureInfo.InvariantCulture)
                                              : shown[r, c].ToString("0", CultureInfo.InvariantCulture);
                    var text = plot.Add.Text(label, c, n - 1 - r);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = size;
                    text.LabelFontColor = shown[r, c] > 0.5 * heatmap.ManualRange.Value.Max ? Colors.White : Colors.Black;
                }
        }

        const float tickSize = 12;
        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        PlotStyle.CategoryTicks(plot, names, slotWidth: (side * 4f / 3 / Scale - 260) / n, tickSize);
        plot.Axes.Left.SetTicks(positions.Reverse().ToArray(), names);
        plot.Axes.Left.TickLabelStyle.FontName = PlotFonts.For(string.Concat(names));
        plot.Axes.Left.TickLabelStyle.FontSize = tickSize;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        plot.Title(normalized ? "Confusion Matrix Normalized" : "Confusion Matrix");
        plot.XLabel("True");
        plot.YLabel("Predicted");
        return plot.GetImage(side * 4 / 3, side);
    }

    /// <summary>Each column divided by its sum; empty columns stay 0.</summary>
    static double[,] NormalizeColumns(double[,] m)
    {
        int n = m.GetLength(0);
        var result = new double[n, n];
        for (int c = 0; c < n; c++)
        {
            double sum = 0;
            for (int r = 0; r < n; r++) sum += m[r, c];
            for (int r = 0; r < n; r++) result[r, c] = sum > 0 ? m[r, c] / sum : 0;
        }
        return result;
    }
}
