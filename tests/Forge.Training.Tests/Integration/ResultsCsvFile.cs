using System.Globalization;
using Forge.Training.Reporting;

namespace Forge.Training.Tests.Integration;

/// <summary>results.csv read back independently of <see cref="ResultsCsv"/>'s own parser: header cells and numeric rows.</summary>
public sealed record ResultsCsvFile(string[] Header, double[][] Rows)
{
    public static ResultsCsvFile Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(c => double.Parse(c, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return new ResultsCsvFile(header, rows);
    }

    public double Value(int row, string column)
    {
        int c = Array.IndexOf(Header, column);
        if (c < 0) throw new KeyNotFoundException($"results.csv has no column '{column}' ({string.Join(",", Header)})");
        return Rows[row][c];
    }
}
