using System.Globalization;

namespace Forge.Data.Plots;

/// <summary>
/// A training log in Ultralytics' results.csv shape: a header row (first column the epoch) and one numeric row per epoch.
/// Padding spaces are trimmed; empty, "nan", unparsable or missing cells read as NaN so partial logs still plot.
/// </summary>
public sealed class ResultsTable
{
    public IReadOnlyList<string> Headers { get; }
    /// <summary>Columns[c][row], aligned with <see cref="Headers"/>.</summary>
    public IReadOnlyList<double[]> Columns { get; }
    public int RowCount => Columns.Count == 0 ? 0 : Columns[0].Length;

    ResultsTable(string[] headers, double[][] columns) { Headers = headers; Columns = columns; }

    public static ResultsTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: results file not found", path);
        string[] lines = File.ReadAllLines(path);
        int first = 0;
        while (first < lines.Length && string.IsNullOrWhiteSpace(lines[first])) first++;
        if (first == lines.Length)
            throw new InvalidDataException($"{path}: no header row; expected a first line like 'epoch,train/box_loss,...'");
        string[] headers = SplitRow(lines[first]);
        for (int i = 0; i < headers.Length; i++)
            if (headers[i].Length == 0) headers[i] = $"column {i + 1}";

        var rows = new List<string[]>();
        for (int i = first + 1; i < lines.Length; i++)
            if (!string.IsNullOrWhiteSpace(lines[i])) rows.Add(SplitRow(lines[i]));
        var columns = new double[headers.Length][];
        for (int c = 0; c < headers.Length; c++)
        {
            columns[c] = new double[rows.Count];
            for (int r = 0; r < rows.Count; r++)
                columns[c][r] = c < rows[r].Length ? ParseCell(rows[r][c]) : double.NaN;
        }
        return new ResultsTable(headers, columns);
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
