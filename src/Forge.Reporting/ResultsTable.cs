using System.Globalization;
using System.Text;
using Forge.Core.Serialization;

namespace Forge.Reporting;

/// <summary>
/// A run's results.csv: one row per epoch, each a set of column name → value like Ultralytics' metrics dictionaries
/// (<c>{"epoch": 3, "train/box_loss": 1.21, "metrics/mAP50(B)": 0.54, "lr/pg0": 0.0012, ...}</c>). The trainer appends a row
/// at the end of every epoch and the file is rewritten atomically; the plots and the tests read it back with
/// <see cref="Read"/>. The first row appended (or the file's header) fixes the columns and their order; "epoch" comes first.
/// Values are written with five significant digits (Ultralytics writes %.5g), NaN where there is none (no validation).
/// </summary>
public sealed class ResultsTable
{
    public const string EpochColumn = "epoch";

    readonly List<string> columns = [];
    readonly List<Dictionary<string, double>> rows = [];

    /// <summary>A table for the file at <paramref name="path"/>; nothing is read or written until asked.</summary>
    public ResultsTable(string path) => Path = path;

    public string Path { get; }
    /// <summary>Column names in file order (empty before the first row or read).</summary>
    public IReadOnlyList<string> Columns => columns;
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows => rows;

    /// <summary>Reads a results file: padding spaces and quotes are trimmed (Ultralytics pads its columns); empty, "nan",
    /// unparsable or missing cells read as NaN, so a log cut short by a killed run still reads.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file has no header row.</exception>
    public static ResultsTable Read(string path)
    {
        var table = new ResultsTable(path);
        table.Load(uptoEpochExclusive: null);
        return table;
    }

    /// <summary>
    /// For a resumed run: keeps the rows of the file at <see cref="Path"/> whose epoch is below
    /// <paramref name="uptoEpochExclusive"/> (the epochs that will be redone are dropped). Rows with fewer cells than the
    /// header (a write cut short) are skipped; a missing file leaves the table empty.
    /// </summary>
    public void LoadExisting(int uptoEpochExclusive)
    {
        if (File.Exists(Path)) Load(uptoEpochExclusive);
    }

    void Load(int? uptoEpochExclusive)
    {
        if (!File.Exists(Path)) throw new FileNotFoundException($"{Path}: results file not found", Path);
        var lines = File.ReadAllLines(Path).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (lines.Count == 0)
            throw new InvalidDataException($"{Path}: no header row; expected a first line like 'epoch,train/box_loss,...'");
        var header = SplitRow(lines[0]);
        for (int i = 0; i < header.Length; i++)
            if (header[i].Length == 0) header[i] = $"column {i + 1}";
        columns.Clear();
        columns.AddRange(header);
        rows.Clear();
        foreach (var line in lines.Skip(1))
        {
            var cells = SplitRow(line);
            var row = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int c = 0; c < header.Length; c++) row[header[c]] = c < cells.Length ? ParseCell(cells[c]) : double.NaN;
            if (uptoEpochExclusive is { } upto && (cells.Length != header.Length || !(row.GetValueOrDefault(EpochColumn, double.NaN) < upto)))
                continue;
            rows.Add(row);
        }
    }

    /// <summary>Adds one epoch's row and rewrites the file. The first row fixes the columns (in the order given).</summary>
    /// <exception cref="ArgumentException">The row lacks "epoch", names a column twice, or its names differ from the
    /// table's columns (the message lists the missing and unexpected ones); nothing is written.</exception>
    public void Append(IEnumerable<KeyValuePair<string, double>> row)
    {
        var ordered = row.ToList();
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in ordered)
            if (!values.TryAdd(name, value)) throw new ArgumentException($"results row names column '{name}' twice");
        if (!values.ContainsKey(EpochColumn)) throw new ArgumentException($"results row has no '{EpochColumn}' column");
        var expected = columns.Count > 0 ? columns : [EpochColumn, .. ordered.Select(kv => kv.Key).Where(k => k != EpochColumn)];
        var missing = expected.Where(c => !values.ContainsKey(c)).ToList();
        var extra = values.Keys.Where(k => !expected.Contains(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ArgumentException($"results row does not match {Path}'s columns: " +
                                        $"missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]");
        if (columns.Count == 0) columns.AddRange(expected);
        rows.Add(values);
        AtomicFile.WriteText(Path, ToCsv());
    }

    /// <summary>One column's values, row by row.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns.</exception>
    public double[] Column(string name) =>
        columns.Contains(name) ? rows.Select(r => r[name]).ToArray()
            : throw new KeyNotFoundException($"{Path} has no column '{name}' (columns: {string.Join(", ", columns)})");

    /// <summary>The header and every row as CSV text, the epoch as an integer and other values with five significant digits.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', columns).Append('\n');
        foreach (var r in rows)
            sb.AppendJoin(',', columns.Select(c => c == EpochColumn && double.IsFinite(r[c])
                ? ((long)r[c]).ToString(CultureInfo.InvariantCulture) : r[c].ToString("G5", CultureInfo.InvariantCulture))).Append('\n');
        return sb.ToString();
    }

    static string[] SplitRow(string line)
    {
        string[] cells = line.Split(',');
        for (int i = 0; i < cells.Length; i++) cells[i] = cells[i].Trim().Trim('"').Trim();
        return cells;
    }

    static double ParseCell(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : double.NaN;
}
