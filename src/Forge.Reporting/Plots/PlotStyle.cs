using ScottPlot;
using SkiaSharp;

namespace Forge.Reporting.Plots;

/// <summary>What the run plots share: fonts, matplotlib's default colour cycle (the colours of Ultralytics' plots), sizes.</summary>
internal static class PlotStyle
{
    /// <summary>matplotlib's tab10 cycle: C0 blue for results, C1 orange for smoothed trends, then one colour per class.</summary>
    public static readonly Color[] Cycle =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd"),
        Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    public static readonly Color Grey = Color.FromHex("#808080");

    /// <summary>A new plot with the embedded font, light grid and the given scale (1 = 96 dpi-like sizes, 2 = twice as large).</summary>
    public static Plot NewPlot(float scale)
    {
        PlotFonts.Install();
        var plot = new Plot { ScaleFactor = scale };
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.08);
        return plot;
    }

    /// <summary>
    /// Names under the bottom axis at 0, 1, 2, ...: level when each fits its slot (<paramref name="slotWidth"/> unscaled
    /// pixels), else standing upright and reading upwards as matplotlib turns them, with the axis made tall enough.
    /// </summary>
    public static void CategoryTicks(Plot plot, IReadOnlyList<string> names, float slotWidth, float fontSize = 12)
    {
        var bottom = plot.Axes.Bottom;
        bottom.SetTicks(Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray(), [.. names]);
        bottom.TickLabelStyle.FontName = PlotFonts.For(string.Concat(names));
        bottom.TickLabelStyle.FontSize = fontSize;
        float widest = names.Count == 0 ? 0 : names.Max(name => PlotFonts.MeasureWidth(name, fontSize));
        if (widest <= 0.9f * slotWidth) return;
        bottom.TickLabelStyle.Rotation = -90;
        bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        bottom.MinimumSize = widest + 40;
    }

    /// <summary>The finite (x, y) pairs: ScottPlot would draw NaN as a gap or fail on it.</summary>
    public static (double[] X, double[] Y) Finite(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var xs = new List<double>(x.Count);
        var ys = new List<double>(x.Count);
        for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
            if (double.IsFinite(x[i]) && double.IsFinite(y[i])) { xs.Add(x[i]); ys.Add(y[i]); }
        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>Saves as PNG, or JPEG (quality 95) when the path ends in .jpg/.jpeg, creating the folder.</summary>
    public static void Save(Image image, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
            image.SaveJpeg(path, 95);
        else image.SavePng(path);
    }

    /// <summary>
    /// Plots laid out row by row in a grid of equal cells on white (null leaves a cell empty). Each plot is rendered on its
    /// own, so its scale factor applies (ScottPlot's Multiplot mixes the scale factors of its subplots up).
    /// </summary>
    public static Image Grid(IReadOnlyList<Plot?> plots, int columns, int cellWidth, int cellHeight)
    {
        int rows = Math.Max(1, (plots.Count + columns - 1) / columns);
        var surface = SKSurface.Create(new SKImageInfo(columns * cellWidth, rows * cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < plots.Count; i++)
        {
            if (plots[i] is not { } plot) continue;
            using var cell = plot.GetImage(cellWidth, cellHeight);
            using var encoded = SKImage.FromEncodedData(cell.GetImageBytes(ImageFormat.Png, 100));
            surface.Canvas.DrawImage(encoded, i % columns * cellWidth, i / columns * cellHeight);
        }
        return new Image(surface);
    }
}
