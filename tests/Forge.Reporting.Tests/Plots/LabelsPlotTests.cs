using Forge.Reporting.Plots;

namespace Forge.Reporting.Tests.Plots;

public class LabelsPlotTests
{
    [Fact]
    public void Bars_show_each_labelled_class_in_its_colour()
    {
        using var tmp = new PlotTestImages.TempFolder();
        var labels = new List<(int, float, float, float, float)>();
        for (int i = 0; i < 30; i++) labels.Add((0, 0.5f, 0.5f, 0.2f, 0.3f));
        for (int i = 0; i < 10; i++) labels.Add((2, 0.2f, 0.7f, 0.1f, 0.1f));
        LabelsPlot.Render(labels, ["a", "b", "c"], tmp.File("labels.png"));
        var img = ChartPixels.Load(tmp.File("labels.png"));
        Assert.Equal((1600, 1600), (img.Width, img.Height));
        var bars = (0, 0, 800, 800);
        int c0 = img.CountNear("#1f77b4", 3, bars), c2 = img.CountNear("#2ca02c", 3, bars);
        Assert.True(c2 > 2000, $"class 2 bar: {c2} px");
        Assert.True(c0 > 2.5 * c2, $"three times the instances give a bar three times as tall: {c0} vs {c2} px");
        Assert.True(img.CountNear("#ff7f0e", 3, bars) < 10, "no class-1 labels, no bar");
        // The box outlines (top right) and the centre and size histograms (bottom) are drawn.
        Assert.True(img.CountNear("#1f77b4", 3, (800, 0, 800, 800)) > 200, "class 0 box outline");
        Assert.True(img.CountNonWhite((0, 800, 800, 800)) > 5000 && img.CountNonWhite((800, 800, 800, 800)) > 5000);
    }

    [Fact]
    public void No_labels_and_odd_values_render_without_throwing()
    {
        Assert.True(ChartPixels.Of(LabelsPlot.RenderImage([], ["a"])).CountNonWhite() > 5000);
        var odd = LabelsPlot.RenderImage([(5, float.NaN, 2f, -1f, 0.5f), (0, 0.5f, 0.5f, 3f, 3f)], ["a"]);
        Assert.True(ChartPixels.Of(odd).CountNonWhite() > 5000);
    }
}
