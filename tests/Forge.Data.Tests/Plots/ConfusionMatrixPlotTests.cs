using Forge.Data.Imaging;
using Forge.Data.Plots;
using static Forge.Data.Tests.Plots.PlotTestImages;

namespace Forge.Data.Tests.Plots;

public class ConfusionMatrixPlotTests
{
    static double[,] Matrix()
    {
        // 3 classes + background; rows predicted, columns true.
        return new double[,]
        {
            { 40, 2, 0, 1 },
            { 0, 30, 5, 0 },
            { 1, 0, 20, 3 },
            { 4, 3, 0, 0 },
        };
    }

    [Fact]
    public void Renders_heatmap_with_background_added_to_the_names()
    {
        using var tmp = new TempFolder();
        ConfusionMatrixPlot.Render(Matrix(), ["cat", "dog", "bird"], normalized: true, tmp.File("confusion_matrix_normalized.png"));
        var img = RgbImage.Read(tmp.File("confusion_matrix_normalized.png"));
        Assert.True(img.Width > 300 && img.Height > 300);
        // Column "cat" normalises to 40/45 = 0.89: the darkest blues must be present, as must near-white empty cells.
        Assert.True(Count(img, c => c.B > 90 && c.R < 60 && c.G < 90) > 1000, "dark diagonal cells");
        Assert.True(CountNear(img, new Rgb(246, 250, 255), 4) > 1000, "light empty cells");
    }

    [Fact]
    public void Raw_counts_and_normalised_values_give_different_images()
    {
        var raw = ConfusionMatrixPlot.RenderImage(Matrix(), ["cat", "dog", "bird", "background"], normalized: false);
        var norm = ConfusionMatrixPlot.RenderImage(Matrix(), ["cat", "dog", "bird", "background"], normalized: true);
        Assert.Equal(raw.Height, norm.Height);
        Assert.NotEqual(raw.Pixels, norm.Pixels); // counts colour by the largest count, normalised by column share
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(new double[3, 4], ["a", "b"], false));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(Matrix(), ["a"], false));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(new double[0, 0], [], false));
    }

    [Fact]
    public void Many_classes_still_render()
    {
        var m = new double[41, 41];
        for (int i = 0; i < 41; i++) m[i, i] = 10;
        var img = ConfusionMatrixPlot.RenderImage(m, Enumerable.Range(0, 40).Select(i => $"c{i}").ToArray(), true);
        Assert.True(CountNonWhite(img) > 10000);
    }
}
