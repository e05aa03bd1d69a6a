using System.Text;

namespace Forge.Bench.Harness;

/// <summary>A plain-text table: a header row, aligned columns (text left, figures right), a rule under the header.</summary>
public sealed partial class TextTable(params string[] headers)
{
    readonly List<string[]> rows = new();

    public TextTable Add(params object[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"row has {cells.Length} cells, the table {headers.Length} columns");
        rows.Add(cells.Select(c => c switch
        {
            double d => d.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => c?.ToString() ?? "",
        }).ToArray());
        return this;
    }

    public void Write(TextWriter w, string indent = "  ")
    {
        var widths = new int[headers.Length];
        for (int c = 0; c < headers.Length; c++)
        {
            widths[c] = headers[c].Length;
            foreach (var r in rows) widths[c] = Math.Max(widths[c], r[c].Length);
        }
        // Columns of figures ("674 (579-732)", "3.01M", "+1.5%", "1.26x", "-") are right-aligned, text left-aligned.
        var numeric = new bool[headers.Length];
        for (int c = 0; c < headers.Length; c++)
            numeric[c] = rows.Count > 0 && rows.All(r => r[c] == "-" || Figure().IsMatch(r[c]));
        var line = new StringBuilder();
        void Emit(string[] cells)
        {
            line.Clear().Append(indent);
            for (int c = 0; c < cells.Length; c++)
            {
                if (c > 0) line.Append("  ");
                line.Append(numeric[c] ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
            }
            w.WriteLine(line.ToString().TrimEnd());
        }
        Emit(headers);
        w.WriteLine(indent + new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        foreach (var r in rows) Emit(r);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[-+]?[0-9][0-9.,]*[A-Za-z%]*( \([-+0-9.,]+-[-+0-9.,]+\))?$")]
    private static partial System.Text.RegularExpressions.Regex Figure();
}
