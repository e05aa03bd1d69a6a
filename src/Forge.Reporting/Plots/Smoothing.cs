namespace Forge.Reporting.Plots;

/// <summary>Gaussian smoothing of a noisy curve for trend lines; NaN samples are skipped and stay NaN.</summary>
internal static class Smoothing
{
    public static double[] Gaussian(IReadOnlyList<double> values, double sigma)
    {
        int n = values.Count;
        var result = new double[n];
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var weights = new double[radius + 1];
        for (int k = 0; k <= radius; k++) weights[k] = Math.Exp(-0.5 * k * k / (sigma * sigma));
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i])) { result[i] = double.NaN; continue; }
            double sum = 0, weight = 0;
            // Renormalising over the samples present keeps the ends and gaps unbiased.
            for (int j = Math.Max(0, i - radius); j <= Math.Min(n - 1, i + radius); j++)
            {
                double v = values[j];
                if (!double.IsFinite(v)) continue;
                double w = weights[Math.Abs(j - i)];
                sum += w * v;
                weight += w;
            }
            result[i] = sum / weight;
        }
        return result;
    }
}
