namespace Forge.Bench.Harness;

/// <summary>Median and spread of repeated measurements (percentiles interpolated linearly between order statistics, like numpy).</summary>
public readonly record struct Summary(int Count, double Median, double P10, double P90, double Min, double Max, double Mean)
{
    public static Summary Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples to summarise", nameof(samples));
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        double mean = 0;
        foreach (var s in sorted) mean += s;
        return new Summary(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.1), Percentile(sorted, 0.9),
            sorted[0], sorted[^1], mean / sorted.Length);
    }

    static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    /// <summary>"median (p10-p90)" with the given number format; just the value for a single sample.</summary>
    public string Format(string format = "F1")
    {
        string F(double v) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return Count == 1 ? F(Median) : $"{F(Median)} ({F(P10)}-{F(P90)})";
    }
}
