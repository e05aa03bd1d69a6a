using System.Globalization;
using Forge.Data.Imaging;

namespace Forge.Data.Plots;

/// <summary>
/// A confusion-matrix heatmap: rows are predicted classes, columns true classes (the last of each usually "background"),
/// values printed in the cells, a colour bar on the right. Normalised plots divide each column by its total,
/// so a cell reads "fraction of true class c predicted as r".
/// </summary>
public static class ConfusionMatrixPlot
{
    public static void Render(double[,] matrix, string[] classNames, bool normalized, string path) =>
        RenderImage(matrix, classNames, normalized).Save(path);

    /// <param name="classNames">One name per row/column, or one fewer, in which case "background" is appended.</param>
    public static RgbImage RenderImage(double[,] matrix, string[] classNames, bool normalized)
    {
        int n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
            throw new ArgumentException($"confusion matrix must be square and non-empty, got {matrix.GetLength(0)}x{matrix.GetLength(1)}");
        string[] names = classNames.Length == n ? classNames
            : classNames.Length == n - 1 ? [.. classNames, "background"]
            : throw new ArgumentException($"{classNames.Length} class names for a {n}x{n} matrix; give {n - 1} (background is added) or {n}");

        double[,] shown = normalized ? NormalizeColumns(matrix) : matrix;
        double max = 0;
        foreach (double v in shown) if (double.IsFinite(v)) max = Math.Max(max, v);
        if (normalized || max <= 0) max = Math.Max(max, 1);

        const int s = 1, gap = 8;
        int charH = BitmapFont.GlyphHeight * s;
        int cell = Math.Clamp(720 / n, 12, 80);
        int nameW = 0;
        foreach (string name in names) nameW = Math.Max(nameW, Drawing.MeasureText(name, s).Width);
        bool verticalColumnNames = nameW > cell - 4;
        int columnNamesH = verticalColumnNames ? nameW : charH;
        bool showNames = cell >= 10;

        var barTicks = AxisTicks.Ticks(0, max, 6);
        int barLabelW = 0;
        foreach (double v in barTicks.Values) barLabelW = Math.Max(barLabelW, Drawing.MeasureText(AxisTicks.Format(v, barTicks.Step), s).Width);

        string title = normalized ? "Confusion Matrix Normalized" : "Confusion Matrix";
        int titleH = BitmapFont.GlyphHeight * (s + 1);
        int left = gap + charH + gap + (showNames ? nameW + gap : 0);
        int top = gap + titleH + gap * 2;
        int grid = n * cell;
        int barX = left + grid + gap * 2, barW = 16;
        int width = barX + barW + gap + barLabelW + gap;
        int height = top + grid + gap + (showNames ? columnNamesH + gap : 0) + charH + gap;
        var image = RgbImage.Filled(width, height, 255);

        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double v = shown[r, c];
                var color = ColorMap.Blues(v / max);
                int x = left + c * cell, y = top + r * cell;
                Drawing.FillRectangle(image, x, y, cell, cell, color);
                string? text = CellText(v, normalized);
                if (text is not null) CenteredFittingText(image, x, y, cell, text, Palette.ContrastingText(color));
            }
        Drawing.Rectangle(image, new(left, top, left + grid, top + grid), Rgb.Gray(120), 1);

        if (showNames)
            for (int i = 0; i < n; i++)
            {
                var (w, _) = Drawing.MeasureText(names[i], s);
                Drawing.Text(image, left - gap - w, top + i * cell + (cell - charH) / 2, names[i], PlotArea.TextColor, s);
                int cx = left + i * cell + cell / 2;
                if (verticalColumnNames)
                    Drawing.TextVertical(image, cx - charH / 2, top + grid + gap + (nameW - w), names[i], PlotArea.TextColor, s);
                else
                    Drawing.Text(image, cx - w / 2, top + grid + gap, names[i], PlotArea.TextColor, s);
            }

        var (titleW, _) = Drawing.MeasureText(title, s + 1);
        Drawing.Text(image, Math.Max(gap, left + grid / 2 - titleW / 2), gap, title, Rgb.Black, s + 1);
        var (trueW, _) = Drawing.MeasureText("True", s);
        Drawing.Text(image, left + grid / 2 - trueW / 2, height - gap - charH, "True", PlotArea.TextColor, s);
        var (predW, _) = Drawing.MeasureText("Predicted", s);
        Drawing.TextVertical(image, gap, top + grid / 2 - predW / 2, "Predicted", PlotArea.TextColor, s);

        for (int i = 0; i < grid; i++)
            Drawing.FillRectangle(image, barX, top + i, barW, 1, ColorMap.Blues(1 - (i + 0.5) / grid));
        Drawing.Rectangle(image, new(barX, top, barX + barW, top + grid), Rgb.Gray(120), 1);
        foreach (double v in barTicks.Values)
        {
            int y = top + (int)Math.Round((1 - v / max) * (grid - 1));
            Drawing.FillRectangle(image, barX + barW, y, 3, 1, Rgb.Gray(120));
            Drawing.Text(image, barX + barW + 5, y - charH / 2, AxisTicks.Format(v, barTicks.Step), PlotArea.TextColor, s);
        }
        return image;
    }

    static double[,] NormalizeColumns(double[,] m)
    {
        int n = m.GetLength(0);
        var result = new double[n, n];
        for (int c = 0; c < n; c++)
        {
            double sum = 0;
            for (int r = 0; r < n; r++) if (double.IsFinite(m[r, c])) sum += m[r, c];
            for (int r = 0; r < n; r++) result[r, c] = sum > 0 ? m[r, c] / sum : 0;
        }
        return result;
    }

    /// <summary>Blank for (near) zero so the diagonal stands out; counts as integers when whole.</summary>
    static string? CellText(double v, bool normalized)
    {
        if (!double.IsFinite(v)) return null;
        if (normalized) return v < 0.005 ? null : v.ToString("F2", CultureInfo.InvariantCulture);
        if (v == 0) return null;
        return v == Math.Round(v) && Math.Abs(v) < 1e9 ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture);
    }

    static void CenteredFittingText(RgbImage image, int x, int y, int cell, string text, Rgb color)
    {
        for (int scale = 2; scale >= 1; scale--)
        {
            var (w, h) = Drawing.MeasureText(text, scale);
            if (w > cell - 4 || h > cell - 4) continue;
            Drawing.Text(image, x + (cell - w) / 2, y + (cell - h) / 2, text, color, scale);
            return;
        }
    }
}
