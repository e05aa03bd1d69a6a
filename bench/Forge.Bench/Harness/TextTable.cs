using System.Text;

namespace Forge.Bench.Harness;

/// <summary>A plain-text table: a header row, aligned columns (text left, figures right), a rule under the header.</summary>
public sealed class TextTable(params string[] headers)
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
        // A column whose cells all start with a digit, sign or '(' is numeric and right-aligned.
        var numeric = new bool[headers.Length];
        for (int c = 0; c < headers.Length; c++)
            numeric[c] = rows.Count > 0 && rows.All(r => r[c].Length == 0 || char.IsDigit(r[c][0]) || r[c][0] is '-' or '+' or '(');
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
}
