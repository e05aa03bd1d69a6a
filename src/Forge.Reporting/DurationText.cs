using System.Globalization;

namespace Forge.Reporting;

/// <summary>Durations and counts as people read them in a log: "7.6 s", "4.4 min", "2.15 hours"; "1 epoch", "3 epochs".</summary>
public static class DurationText
{
    /// <summary>Seconds below 2 minutes, minutes below 2 hours, hours beyond (one or two decimals).</summary>
    public static string Format(TimeSpan t) =>
        t.TotalSeconds < 120 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s")
        : t.TotalMinutes < 120 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0.00} hours");

    /// <summary>"1 epoch", "0 epochs", "2 epochs".</summary>
    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
