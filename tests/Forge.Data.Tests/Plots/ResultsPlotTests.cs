using System.Globalization;
using Forge.Data.Imaging;
using Forge.Data.Plots;
using static Forge.Data.Tests.Plots.PlotTestImages;

namespace Forge.Data.Tests.Plots;

public class ResultsPlotTests
{
    const string Header = "                  epoch,         train/box_loss,         train/cls_loss,   metrics/precision(B),       metrics/mAP50(B),    metrics/mAP50-95(B),           val/box_loss,                 lr/pg0";

    static string SampleCsv(int epochs)
    {
        var lines = new List<string> { Header };
        for (int e = 1; e <= epochs; e++)
        {
            double f = Math.Exp(-e / 5.0);
            string F(double v) => v.ToString("F5", CultureInfo.InvariantCulture);
            lines.Add(string.Join(",", e, F(1 + f), F(2 + f), F(1 - f), e == 3 ? "nan" : F(0.9 - f), e == 4 ? "" : F(0.6 - f), F(1.2 + f), F(0.01 * f)));
        }
        lines.Add("11,1.0,2.0"); // a truncated last row (a run killed while writing)
        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public void Reads_headers_trimmed_and_missing_values_as_nan()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("results.csv"), SampleCsv(10));
        var table = ResultsTable.Read(tmp.File("results.csv"));
        Assert.Equal(8, table.Headers.Count);
        Assert.Equal("epoch", table.Headers[0]);
        Assert.Equal("metrics/mAP50-95(B)", table.Headers[5]);
        Assert.Equal(11, table.RowCount);
        Assert.True(double.IsNaN(table.Columns[4][2]));      // "nan"
        Assert.True(double.IsNaN(table.Columns[5][3]));      // empty cell
        Assert.True(double.IsNaN(table.Columns[7][10]));     // missing in the truncated row
        Assert.Equal(2.0, table.Columns[2][10]);
    }

    [Fact]
    public void Renders_one_chart_per_column_in_a_grid()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("results.csv"), SampleCsv(10));
        ResultsPlot.Render(tmp.File("results.csv"), tmp.File("results.png"));
        var img = RgbImage.Read(tmp.File("results.png"));
        // 7 metric columns: 5 across, 2 rows of 400 x 300 cells.
        Assert.Equal((2000, 600), (img.Width, img.Height));
        Assert.True(CountNear(img, Palette.ForClass(2), 30) > 500, "result lines should be drawn");
        Assert.True(CountNear(img, Palette.ForClass(3), 30) > 100, "smoothed lines should be drawn");
        // The empty eighth cell stays white.
        Assert.Equal(0, Count(Crop(img, 1200, 300, 800, 300), c => c != Rgb.White));
    }

    [Fact]
    public void A_header_only_file_renders_empty_charts()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("results.csv"), Header + "\n");
        ResultsPlot.Render(tmp.File("results.csv"), tmp.File("results.png"));
        var img = RgbImage.Read(tmp.File("results.png"));
        Assert.True(CountNonWhite(img) > 1000);
        Assert.Equal(0, CountNear(img, Palette.ForClass(2), 30));
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

    static RgbImage Crop(RgbImage img, int x, int y, int w, int h)
    {
        var result = new RgbImage(w, h);
        for (int row = 0; row < h; row++)
            Array.Copy(img.Pixels, img.Offset(x, y + row), result.Pixels, row * w * 3, w * 3);
        return result;
    }
}
