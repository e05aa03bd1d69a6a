using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>A sequential white-to-dark-blue colour scale for heatmaps: light for small values, dark for large.</summary>
internal static class ColorMap
{
    static readonly Rgb[] Stops = [new(246, 250, 255), new(200, 221, 240), new(110, 170, 214), new(38, 110, 178), new(10, 45, 105)];

    /// <summary>The colour at t in [0, 1]; values outside are clamped, NaN gives the lightest colour.</summary>
    public static Rgb Blues(double t)
    {
        if (!double.IsFinite(t)) t = 0;
        t = Math.Clamp(t, 0, 1) * (Stops.Length - 1);
        int i = Math.Min((int)t, Stops.Length - 2);
        return Rgb.Lerp(Stops[i], Stops[i + 1], (float)(t - i));
    }
}
