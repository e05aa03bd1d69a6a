using System.Globalization;
using Forge.Training.Reporting;

namespace Forge.Training.Tests.Reporting;

public sealed class ResultsCsvTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-results-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Dictionary<string, double> Named(double[] row) => ResultsCsv.Columns.Zip(row).ToDictionary(p => p.First, p => p.Second);

    static double[] Row(int epoch, double scale = 1)
    {
        var r = new double[ResultsCsv.Columns.Length];
        r[0] = epoch;
        for (int i = 1; i < r.Length; i++) r[i] = scale * (epoch + i / 100.0);
        return r;
    }

    [Fact]
    public void HeaderIsUltralyticsColumnsThenForgeColumns()
    {
        Assert.Equal(
            ["epoch", "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
             "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss", "lr/pg0", "lr/pg1", "lr/pg2"],
            ResultsCsv.Columns.Take(14));
    }

    [Fact]
    public void WritesHeaderAndOneLinePerEpoch()
    {
        var path = Path.Combine(dir, "results.csv");
        var csv = new ResultsCsv(path);
        csv.Append(Named(Row(1)));
        csv.Append(Named(Row(2)));
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Join(",", ResultsCsv.Columns), lines[0]);
        var cells = lines[2].Split(',');
        Assert.Equal(ResultsCsv.Columns.Length, cells.Length);
        Assert.Equal("2", cells[0]);
        Assert.Equal("2.01", cells[1]);
        Assert.Equal("2.15", cells[15]);
        Assert.Equal(2, csv.Rows.Count);
    }

    [Fact]
    public void NaNAndSmallValuesSurvive()
    {
        var path = Path.Combine(dir, "results.csv");
        var csv = new ResultsCsv(path);
        var row = Row(1);
        row[4] = double.NaN;            // no validation this epoch
        row[11] = 1.19e-6;              // AdamW's final learning rate at lr0 0.000119, lrf 0.01
        row[12] = 0.000833333;
        csv.Append(Named(row));
        var cells = File.ReadAllLines(path)[1].Split(',');
        Assert.Equal("NaN", cells[4]);
        Assert.Equal(1.19e-6, double.Parse(cells[11], CultureInfo.InvariantCulture), 1e-10);
        Assert.Equal(0.000833333, double.Parse(cells[12], CultureInfo.InvariantCulture), 1e-8);
    }

    [Fact]
    public void LoadExistingKeepsOnlyEarlierEpochs()
    {
        var path = Path.Combine(dir, "results.csv");
        var first = new ResultsCsv(path);
        for (int e = 1; e <= 4; e++) first.Append(Named(Row(e)));

        // Resuming at epoch 3: rows 1 and 2 stay, 3 and 4 are redone.
        var resumed = new ResultsCsv(path);
        resumed.LoadExisting(3);
        Assert.Equal([1.0, 2.0], resumed.Rows.Select(r => r[0]));
        Assert.Equal(Row(2)[5], resumed.Rows[1][5], 5);
        resumed.Append(Named(Row(3, scale: 10)));
        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("1,", lines[1]);
        Assert.StartsWith("2,", lines[2]);
        Assert.StartsWith("3,30.1,30.2,", lines[3]);
    }

    [Fact]
    public void LoadExistingIgnoresMissingFilesAndMalformedLines()
    {
        var path = Path.Combine(dir, "results.csv");
        var csv = new ResultsCsv(path);
        csv.LoadExisting(10);
        Assert.Empty(csv.Rows);

        File.WriteAllLines(path, [string.Join(",", ResultsCsv.Columns), "1,2,3", string.Join(",", Row(1)), ""]);
        csv.LoadExisting(10);
        Assert.Single(csv.Rows);
    }

    [Fact]
    public void RowWithAMissingOrUnknownColumnIsRejectedByName()
    {
        var csv = new ResultsCsv(Path.Combine(dir, "results.csv"));
        var missing = Named(Row(1));
        missing.Remove("lr/pg2");
        Assert.Contains("'lr/pg2'", Assert.Throws<ArgumentException>(() => csv.Append(missing)).Message);
        var unknown = Named(Row(1));
        unknown["lr/pg3"] = 0.1;
        Assert.Contains("'lr/pg3'", Assert.Throws<ArgumentException>(() => csv.Append(unknown)).Message);
        Assert.False(File.Exists(csv.Path));
    }
}
