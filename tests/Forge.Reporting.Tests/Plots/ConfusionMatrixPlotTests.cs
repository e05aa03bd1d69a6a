using Forge.Reporting.Plots;

namespace Forge.Reporting.Tests.Plots;

public class ConfusionMatrixPlotTests
{
    /// <summary>3 classes + background; rows predicted, columns true.</summary>
    static double[,] Matrix() => new double[,]
    {
        { 40, 2, 0, 1 },
        { 0, 30, 5, 0 },
        { 1, 0, 20, 3 },
        { 4, 3, 0, 0 },
    };

    [Fact]
    public void Renders_a_blues_heatmap_with_background_added_to_the_names()
    {
        using var tmp = new PlotTestImages.TempFolder();
        ConfusionMatrixPlot.Render(Matrix(), ["cat", "dog", "bird"], normalized: true, tmp.File("confusion_matrix_normalized.png"));
        var img = ChartPixels.Load(tmp.File("confusion_matrix_normalized.png"));
        Assert.True(img.Width > 1000 && img.Height > 700);
        // Column "cat" normalises to 40/45 = 0.89: near the darkest blue of the map; empty cells stay white.
        Assert.True(img.Count(c => c.Blue > 90 && c.Red < 40 && c.Green < 80) > 10000, "dark diagonal cells");
        Assert.True(img.CountNear("#ffffff", 0) > 100000, "white empty cells");
    }

    [Fact]
    public void Raw_counts_and_normalised_values_give_different_images()
    {
        string[] names = ["cat", "dog", "bird", "background"];
        var raw = ChartPixels.Of(ConfusionMatrixPlot.RenderImage(Matrix(), names, normalized: false));
        var norm = ChartPixels.Of(ConfusionMatrixPlot.RenderImage(Matrix(), names, normalized: true));
        Assert.Equal(raw.Height, norm.Height);
        // Counts colour by the largest count (40), fractions by 1: the (bird, bird) cell is 20/40 vs 20/25 of the map.
        Assert.NotEqual(raw.Count(c => c.Blue > 90 && c.Red < 40 && c.Green < 80), norm.Count(c => c.Blue > 90 && c.Red < 40 && c.Green < 80));
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(new double[3, 4], ["a", "b"], false));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(Matrix(), ["a"], false));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.RenderImage(new double[0, 0], [], false));
    }

    [Fact]
    public void Many_classes_render_without_cell_values()
    {
        var m = new double[81, 81];
        for (int i = 0; i < 81; i++) m[i, i] = 10;
        var img = ChartPixels.Of(ConfusionMatrixPlot.RenderImage(m, Enumerable.Range(0, 80).Select(i => $"class{i}").ToArray(), true));
        Assert.True(img.Count(c => c.Blue > 90 && c.Red < 40 && c.Green < 80) > 1000, "the diagonal");
    }
}
