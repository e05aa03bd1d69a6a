using Forge.Reporting.Plots;

namespace Forge.Reporting.Tests.Plots;

public class CurvePlotTests
{
    const string MeanBlue = "#0000ff";

    static (double[] X, double[,] Values) Curves(int classes, int points)
    {
        var x = new double[points];
        var values = new double[classes, points];
        for (int i = 0; i < points; i++)
        {
            x[i] = i / (points - 1.0);
            for (int c = 0; c < classes; c++) values[c, i] = 1 - Math.Pow(x[i], 2 + c);
        }
        return (x, values);
    }

    [Fact]
    public void Pr_curve_draws_coloured_class_lines_and_a_thick_blue_mean()
    {
        using var tmp = new PlotTestImages.TempFolder();
        var (recall, precision) = Curves(3, 101);
        CurvePlot.RenderPrCurve(recall, precision, ["a", "b", "c"], [0.7, 0.8, 0.9], tmp.File("PR_curve.png"));
        var img = ChartPixels.Load(tmp.File("PR_curve.png"));
        Assert.Equal((1800, 1200), (img.Width, img.Height));
        Assert.True(img.CountNear(MeanBlue, 30) > 3000, "thick mean line");
        foreach (var color in new[] { "#1f77b4", "#ff7f0e", "#2ca02c" }) Assert.True(img.CountNear(color, 30) > 300, $"class line {color}");
        Assert.True(img.CountNear("#808080", 20, (300, 150, 900, 800)) < 50, "no grey lines inside the axes for three classes");
    }

    [Fact]
    public void More_than_twenty_classes_are_grey_and_unnamed()
    {
        var (recall, precision) = Curves(25, 50);
        var names = Enumerable.Range(0, 25).Select(i => $"class{i}").ToArray();
        var img = ChartPixels.Of(CurvePlot.RenderPrCurveImage(recall, precision, names, new double[25]));
        Assert.True(img.CountNear("#808080", 30) > 1000, "grey class lines");
        Assert.True(img.CountNear("#ff7f0e", 20) < 20, "no class colours");
        Assert.True(img.CountNear(MeanBlue, 30) > 1000);
    }

    [Fact]
    public void Confidence_curve_renders_with_nan_values_and_a_smoothed_mean()
    {
        using var tmp = new PlotTestImages.TempFolder();
        var (conf, f1) = Curves(2, 1000);
        f1[1, 10] = double.NaN;
        CurvePlot.RenderConfidenceCurve(conf, f1, ["x", "y"], "F1", tmp.File("F1_curve.png"));
        Assert.True(ChartPixels.Load(tmp.File("F1_curve.png")).CountNear(MeanBlue, 30) > 2000);
    }

    [Fact]
    public void Box_smoothing_is_ultralytics_moving_average_with_padded_ends()
    {
        // smooth(y, f=0.05) over 1000 points: a 51-wide window; over 20 points a 3-wide one.
        var step = Enumerable.Range(0, 20).Select(i => i < 10 ? 0.0 : 1.0).ToArray();
        var s = Smoothing.Box(step, 0.05);
        Assert.Equal(0, s[8], 12);
        Assert.Equal(1 / 3.0, s[9], 12);
        Assert.Equal(2 / 3.0, s[10], 12);
        Assert.Equal(1, s[19], 12);
    }

    [Fact]
    public void Shape_mismatches_are_reported()
    {
        var (x, values) = Curves(2, 10);
        Assert.Throws<ArgumentException>(() => CurvePlot.RenderPrCurveImage(new double[9], values, ["a", "b"], [0.5, 0.5]));
        Assert.Throws<ArgumentException>(() => CurvePlot.RenderPrCurveImage(x, values, ["a"], [0.5, 0.5]));
        Assert.Throws<ArgumentException>(() => CurvePlot.RenderPrCurveImage(x, values, ["a", "b"], [0.5]));
        Assert.Throws<ArgumentException>(() => CurvePlot.RenderConfidenceCurveImage(x, values, ["a", "b", "c"], "P"));
    }
}
