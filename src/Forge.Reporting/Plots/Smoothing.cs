namespace Forge.Reporting.Plots;

/// <summary>Smoothing of noisy curves for trend lines.</summary>
internal static class Smoothing
{
    /// <summary>
    /// Gaussian smoothing (σ in samples, kernel cut at 3σ), like scipy's gaussian_filter1d that Ultralytics' results plot
    /// uses, except at the ends and around gaps: the weights are renormalised over the samples present instead of reflecting
    /// the curve. NaN samples are skipped and stay NaN.
    /// </summary>
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

    /// <summary>
    /// Moving average over a window of round(2·n·<paramref name="fraction"/>)/2 + 1 samples (made odd), the ends padded with
    /// copies of the first and last value: Ultralytics' <c>smooth(y, f)</c> (utils/metrics.py), which smooths the mean
    /// F1/P/R-confidence curve with f = 0.05, a 51-sample window over its 1000 confidences.
    /// </summary>
    public static double[] Box(IReadOnlyList<double> values, double fraction)
    {
        int n = values.Count;
        int window = (int)Math.Round(n * fraction * 2) / 2 + 1;
        if (window % 2 == 0) window++;
        int half = window / 2;
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int k = i - half; k <= i + half; k++) sum += values[Math.Clamp(k, 0, n - 1)];
            result[i] = sum / window;
        }
        return result;
    }
}
