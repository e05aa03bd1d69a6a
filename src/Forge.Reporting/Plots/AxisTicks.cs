using System.Globalization;

namespace Forge.Reporting.Plots;

/// <summary>"Nice" axis ranges and tick positions (steps of 1, 2, 2.5 or 5 times a power of ten) and their labels.</summary>
internal static class AxisTicks
{
    /// <summary>The data range widened by 5% on each side (as plotting libraries do) so points do not sit on the frame; (0, 1) when there is no data.</summary>
    public static (double Min, double Max) AutoRange(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max) return (0, 1);
        double span = max - min;
        if (span <= Math.Abs(max) * 1e-9 || span == 0)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            return (min - pad, max + pad);
        }
        return (min - 0.05 * span, max + 0.05 * span);
    }

    public static double NiceStep(double span, int maxTicks)
    {
        double raw = span / Math.Max(1, maxTicks);
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>Multiples of a nice step inside [min, max], at most about <paramref name="maxTicks"/> of them.</summary>
    public static (double[] Values, double Step) Ticks(double min, double max, int maxTicks)
    {
        double step = NiceStep(max - min, maxTicks);
        var values = new List<double>();
        double first = Math.Ceiling(min / step - 1e-9) * step;
        for (int i = 0; i < 1000; i++)
        {
            double v = first + i * step;
            if (v > max + step * 1e-9) break;
            values.Add(Math.Abs(v) < step * 1e-9 ? 0 : v); // avoid "-0" and 1e-17 labels
        }
        return (values.ToArray(), step);
    }

    /// <summary>A label with just enough decimals to tell neighbouring ticks apart; exponent form for very large or small steps.</summary>
    public static string Format(double value, double step)
    {
        int decimals = 0;
        while (decimals < 10)
        {
            double scaled = step * Math.Pow(10, decimals);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * Math.Max(1, scaled)) break;
            decimals++;
        }
        if (decimals > 5 || Math.Abs(value) >= 1e7)
            return value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
