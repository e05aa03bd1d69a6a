using Forge.Reporting.Plots;
using static Forge.Reporting.Tests.Plots.PlotTestImages;

namespace Forge.Reporting.Tests.Plots;

public class ResultsPlotTests
{
    static readonly string[] Ultralytics =
    [
        "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
        "val/box_loss", "val/cls_loss", "val/dfl_loss", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
    ];

    /// <summary>A results.csv in the trainer's column order (Ultralytics' columns, then learning rates, time, memory).</summary>
    static ResultsTable Sample(string path, int epochs)
    {
        var table = new ResultsTable(path);
        string[] order = ["train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)",
                          "metrics/mAP50-95(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss", "lr/pg0", "lr/pg1", "lr/pg2", "time/epoch_s", "mem/rss_mb"];
        for (int e = 1; e <= epochs; e++)
        {
            double f = Math.Exp(-e / 5.0);
            var row = new Dictionary<string, double> { ["epoch"] = e };
            for (int i = 0; i < order.Length; i++) row[order[i]] = order[i].StartsWith("metrics/") ? 0.9 - f + 0.02 * (e % 3) : 1 + f + i;
            row["metrics/mAP50(B)"] = e == 3 ? double.NaN : row["metrics/mAP50(B)"];   // an epoch without validation
            table.Append(row);
        }
        return table;
    }

    [Fact]
    public void Layout_puts_ultralytics_columns_first_in_its_order_then_the_rest()
    {
        using var tmp = new TempFolder();
        var layout = ResultsPlot.Layout(Sample(tmp.File("results.csv"), 2));
        Assert.Equal([.. Ultralytics, "lr/pg0", "lr/pg1", "lr/pg2", "time/epoch_s", "mem/rss_mb"], layout);
    }

    [Fact]
    public void Renders_three_rows_of_five_charts_with_results_and_dotted_trends()
    {
        using var tmp = new TempFolder();
        var table = Sample(tmp.File("results.csv"), 20);
        ResultsPlot.Render(table.Path, tmp.File("results.png"));
        var img = ChartPixels.Load(tmp.File("results.png"));
        Assert.Equal((2400, 1800), (img.Width, img.Height));
        // Every chart cell has results in matplotlib's C0 blue; loss and metric cells have the C1 orange trend too.
        for (int cell = 0; cell < 15; cell++)
        {
            var region = (cell % 5 * 480, cell / 5 * 600, 480, 600);
            Assert.True(img.CountNear("#1f77b4", 10, region) > 300, $"cell {cell}: results line");
            if (cell is < 10 or > 12) Assert.True(img.CountNear("#ff7f0e", 10, region) > 100, $"cell {cell}: smoothed trend");
            else Assert.True(img.CountNear("#ff7f0e", 10, region) < 50, $"cell {cell}: a learning-rate chart has no trend line");
            // The title (the column name) is text drawn with the embedded font.
            Assert.True(img.CountDark((cell % 5 * 480 + 100, cell / 5 * 600, 280, 50)) > 150, $"cell {cell}: title text");
        }
    }

    [Fact]
    public void Files_with_few_or_no_rows_still_render()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("header.csv"), "epoch,train/box_loss,metrics/mAP50(B)\n");
        ResultsPlot.Render(tmp.File("header.csv"), tmp.File("a.png"));
        Assert.Equal(1200, ChartPixels.Load(tmp.File("a.png")).Width / 2);
        File.WriteAllText(tmp.File("one.csv"), "epoch,train/box_loss\n1,nan\n2,1.5\n");
        ResultsPlot.Render(tmp.File("one.csv"), tmp.File("b.png"));
        Assert.True(ChartPixels.Load(tmp.File("b.png")).CountNear("#1f77b4", 10) > 20);
        File.WriteAllText(tmp.File("epochs.csv"), "epoch\n1\n");
        ResultsPlot.Render(tmp.File("epochs.csv"), tmp.File("c.png"));
    }

    [Fact]
    public void Missing_or_empty_files_give_errors_naming_the_file()
    {
        using var tmp = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => ResultsPlot.Render(tmp.File("nope.csv"), tmp.File("out.png")));
        Assert.Contains("nope.csv", missing.Message);
        File.WriteAllText(tmp.File("empty.csv"), "\n\n");
        var empty = Assert.Throws<InvalidDataException>(() => ResultsPlot.Render(tmp.File("empty.csv"), tmp.File("out.png")));
        Assert.Contains("empty.csv", empty.Message);
        Assert.Contains("header", empty.Message);
    }
}
