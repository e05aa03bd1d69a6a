using System.Globalization;
using System.Text;
using Forge.Core.Serialization;

namespace Forge.Training.Reporting;

/// <summary>Per-epoch results table (Ultralytics' results.csv columns, then Forge's own). Rewritten atomically each epoch.</summary>
public sealed class ResultsCsv(string path)
{
    public static readonly string[] Columns =
    [
        "epoch", "train/box_loss", "train/cls_loss", "train/dfl_loss",
        "metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)", "metrics/mAP50-95(B)",
        "val/box_loss", "val/cls_loss", "val/dfl_loss", "lr/pg0", "lr/pg1", "lr/pg2",
        "time/epoch_s", "mem/rss_mb",
    ];

    readonly List<double[]> rows = new();
    public string Path { get; } = path;
    public IReadOnlyList<double[]> Rows => rows;

    /// <summary>Keeps rows of earlier epochs (a resumed run continues the same file).</summary>
    public void LoadExisting(int uptoEpochExclusive)
    {
        if (!File.Exists(Path)) return;
        foreach (var line in File.ReadLines(Path).Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != Columns.Length) continue;
            var values = cells.Select(c => double.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
            if (values[0] < uptoEpochExclusive) rows.Add(values);
        }
    }

    /// <summary>Adds an epoch's row, one value per column name (NaN where a value is unknown, e.g. without validation).</summary>
    /// <exception cref="ArgumentException">A column is missing from <paramref name="row"/>, or it names an unknown column.</exception>
    public void Append(IReadOnlyDictionary<string, double> row)
    {
        if (row.Keys.FirstOrDefault(k => !Columns.Contains(k)) is { } unknown) throw new ArgumentException($"results row names an unknown column '{unknown}'");
        var values = Columns.Select(c => row.TryGetValue(c, out var v) ? v : throw new ArgumentException($"results row has no value for '{c}'")).ToArray();
        rows.Add(values);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", Columns));
        // Five significant digits (Ultralytics writes %.5g): a fixed number of decimals would print small learning rates as 0.
        foreach (var r in rows)
            sb.AppendLine(string.Join(",", r.Select((v, i) => i == 0 ? ((int)v).ToString(CultureInfo.InvariantCulture) : v.ToString("G5", CultureInfo.InvariantCulture))));
        AtomicFile.WriteText(Path, sb.ToString());
    }
}
