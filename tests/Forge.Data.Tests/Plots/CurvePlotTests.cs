using Forge.Data.Imaging;
using Forge.Data.Plots;
using static Forge.Data.Tests.Plots.PlotTestImages;

namespace Forge.Data.Tests.Plots;

public class CurvePlotTests
{
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
    public void Pr_curve_draws_grey_class_lines_and_a_thick_mean()
    {
        using var tmp = new TempFolder();
        var (recall, precision) = Curves(3, 101);
        CurvePlot.RenderPrCurve(recall, precision, ["a", "b", "c"], [0.7, 0.8, 0.9], tmp.File("PR_curve.png"));
        var img = RgbImage.Read(tmp.File("PR_curve.png"));
        Assert.True(CountNear(img, Palette.ForClass(2), 20) > 800, "thick mean line");
        Assert.True(Count(img, c => c.R == c.G && c.G == c.B && c.R is >= 170 and <= 215) > 300, "grey per-class lines (antialiased on white)");
    }

    [Fact]
    public void Many_classes_are_summarised_in_one_legend_entry()
    {
        var (recall, precision) = Curves(25, 50);
        var names = Enumerable.Range(0, 25).Select(i => $"class{i}").ToArray();
        var img = CurvePlot.RenderPrCurveImage(recall, precision, names, new double[25], 400, 300);
        Assert.True(CountNonWhite(img) > 1000);
    }

    [Fact]
    public void Confidence_curve_renders_with_nan_values()
    {
        using var tmp = new TempFolder();
        var (conf, f1) = Curves(2, 60);
        f1[1, 10] = double.NaN;
        CurvePlot.RenderConfidenceCurve(conf, f1, ["x", "y"], "F1", tmp.File("F1_curve.png"));
        var img = RgbImage.Read(tmp.File("F1_curve.png"));
        Assert.True(CountNear(img, Palette.ForClass(2), 20) > 500);
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
