using Forge.Data.Imaging;
using Forge.Data.Plots;
using static Forge.Data.Tests.Plots.PlotTestImages;

namespace Forge.Data.Tests.Plots;

public class LabelsPlotTests
{
    [Fact]
    public void Bars_show_each_labelled_class_in_its_colour()
    {
        using var tmp = new TempFolder();
        var labels = new List<(int, float, float, float, float)>();
        for (int i = 0; i < 30; i++) labels.Add((0, 0.5f, 0.5f, 0.2f, 0.3f));
        for (int i = 0; i < 10; i++) labels.Add((2, 0.2f, 0.7f, 0.1f, 0.1f));
        LabelsPlot.Render(labels, ["a", "b", "c"], tmp.File("labels.png"));
        var img = RgbImage.Read(tmp.File("labels.png"));
        Assert.Equal((800, 800), (img.Width, img.Height));
        int red = CountNear(img, Palette.ForClass(0), 2), blue = CountNear(img, Palette.ForClass(2), 2);
        Assert.True(red > 1000, $"class 0 bar: {red} px");
        Assert.True(blue > 300, $"class 2 bar: {blue} px");
        Assert.True(red > 2 * blue, "three times the instances should give a much taller bar");
        Assert.Equal(0, CountNear(img, Palette.ForClass(1), 2)); // no class-1 labels, no bar
    }

    [Fact]
    public void No_labels_and_odd_values_render_without_throwing()
    {
        Assert.True(CountNonWhite(LabelsPlot.RenderImage([], ["a"], 300)) > 500);
        var odd = LabelsPlot.RenderImage([(5, float.NaN, 2f, -1f, 0.5f), (0, 0.5f, 0.5f, 3f, 3f)], ["a"], 300);
        Assert.True(CountNonWhite(odd) > 500);
    }
}
