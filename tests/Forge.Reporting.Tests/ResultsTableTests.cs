using System.Globalization;

namespace Forge.Reporting.Tests;

public sealed class ResultsTableTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-results-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly string[] Names = ["train/box_loss", "metrics/mAP50(B)", "lr/pg0", "time/epoch_s"];

    static Dictionary<string, double> Row(int epoch, double scale = 1)
    {
        var r = new Dictionary<string, double> { ["epoch"] = epoch };
        for (int i = 0; i < Names.Length; i++) r[Names[i]] = scale * (epoch + (i + 1) / 100.0);
        return r;
    }

    string NewPath() => Path.Combine(dir, "results.csv");

    [Fact]
    public void WritesTheHeaderInTheFirstRowsOrderAndOneLinePerEpoch()
    {
        var table = new ResultsTable(NewPath());
        table.Append(Row(1));
        table.Append(Row(2));
        var lines = File.ReadAllLines(table.Path);
        Assert.Equal(["epoch,train/box_loss,metrics/mAP50(B),lr/pg0,time/epoch_s", "1,1.01,1.02,1.03,1.04", "2,2.01,2.02,2.03,2.04"], lines);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(2.03, table.Rows[1]["lr/pg0"]);
    }

    [Fact]
    public void EpochGoesFirstWhereverTheRowNamesIt()
    {
        var table = new ResultsTable(NewPath());
        table.Append(new Dictionary<string, double> { ["b"] = 2, ["epoch"] = 1, ["a"] = 3 });
        Assert.Equal(["epoch", "b", "a"], table.Columns);
        Assert.Equal("1,2,3", File.ReadAllLines(table.Path)[1]);
    }

    [Fact]
    public void NaNAndSmallValuesSurviveAndReadBack()
    {
        var table = new ResultsTable(NewPath());
        var row = Row(1);
        row["metrics/mAP50(B)"] = double.NaN;   // no validation this epoch
        row["lr/pg0"] = 1.19e-6;                // AdamW's final learning rate at lr0 0.000119, lrf 0.01
        table.Append(row);
        Assert.Equal("1,1.01,NaN,1.19E-06,1.04", File.ReadAllLines(table.Path)[1]);
        var read = ResultsTable.Read(table.Path);
        Assert.True(double.IsNaN(read.Rows[0]["metrics/mAP50(B)"]));
        Assert.Equal(1.19e-6, read.Column("lr/pg0")[0], 1e-12);
    }

    [Fact]
    public void RowsWhoseNamesDifferFromTheColumnsAreRejectedNamingThem()
    {
        var table = new ResultsTable(NewPath());
        table.Append(Row(1));
        var row = Row(2);
        row.Remove("lr/pg0");
        row["lr/pg9"] = 0;
        var e = Assert.Throws<ArgumentException>(() => table.Append(row));
        Assert.Contains("missing [lr/pg0]", e.Message);
        Assert.Contains("unexpected [lr/pg9]", e.Message);
        Assert.Single(table.Rows);
        Assert.Throws<ArgumentException>(() => new ResultsTable(Path.Combine(dir, "other.csv")).Append(new Dictionary<string, double> { ["a"] = 1 }));
        Assert.False(File.Exists(Path.Combine(dir, "other.csv")));
    }

    [Fact]
    public void LoadExistingKeepsOnlyEarlierEpochs()
    {
        var first = new ResultsTable(NewPath());
        for (int e = 1; e <= 4; e++) first.Append(Row(e));

        // Resuming at epoch 3: rows 1 and 2 stay, 3 and 4 are redone.
        var resumed = new ResultsTable(first.Path);
        resumed.LoadExisting(3);
        Assert.Equal([1.0, 2.0], resumed.Column("epoch"));
        Assert.Equal(2.02, resumed.Rows[1]["metrics/mAP50(B)"], 5);
        resumed.Append(Row(3, scale: 10));
        var lines = File.ReadAllLines(first.Path);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("1,", lines[1]);
        Assert.StartsWith("2,", lines[2]);
        Assert.StartsWith("3,30.1,30.2,", lines[3]);
    }

    [Fact]
    public void LoadExistingIgnoresMissingFilesAndCutShortLines()
    {
        var table = new ResultsTable(NewPath());
        table.LoadExisting(10);
        Assert.Empty(table.Rows);

        File.WriteAllLines(table.Path, ["epoch,a,b", "1,2", "2,3,4", ""]);
        table.LoadExisting(10);
        Assert.Equal([2.0], table.Column("epoch"));
    }

    [Fact]
    public void ReadsUltralyticsPaddedFilesAndCutShortRowsAsNaN()
    {
        string path = NewPath();
        File.WriteAllText(path, "                  epoch,         train/box_loss,       metrics/mAP50(B)\n" +
                                "                      1,                 1.5,                  nan\n" +
                                "                      2,                 1.25,\n" +
                                "3,1.0\n");
        var table = ResultsTable.Read(path);
        Assert.Equal(["epoch", "train/box_loss", "metrics/mAP50(B)"], table.Columns);
        Assert.Equal([1.0, 2.0, 3.0], table.Column("epoch"));
        Assert.Equal(1.25, table.Column("train/box_loss")[1]);
        Assert.All(table.Column("metrics/mAP50(B)"), v => Assert.True(double.IsNaN(v)));
        var e = Assert.Throws<KeyNotFoundException>(() => table.Column("mAP"));
        Assert.Contains("train/box_loss", e.Message);
    }

    [Fact]
    public void MissingOrEmptyFilesAreErrorsNamingTheFile()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => ResultsTable.Read(Path.Combine(dir, "nope.csv")));
        Assert.Contains("nope.csv", missing.Message);
        File.WriteAllText(Path.Combine(dir, "empty.csv"), "\n\n");
        var empty = Assert.Throws<InvalidDataException>(() => ResultsTable.Read(Path.Combine(dir, "empty.csv")));
        Assert.Contains("empty.csv", empty.Message);
        Assert.Contains("header", empty.Message);
    }

    [Fact]
    public void FormatsWithFiveSignificantDigits()
    {
        var table = new ResultsTable(NewPath());
        table.Append(new Dictionary<string, double> { ["epoch"] = 1, ["x"] = 0.000833333, ["y"] = 123.456789 });
        var cells = File.ReadAllLines(table.Path)[1].Split(',');
        Assert.Equal(0.00083333, double.Parse(cells[1], CultureInfo.InvariantCulture));
        Assert.Equal("123.46", cells[2]);
    }
}
