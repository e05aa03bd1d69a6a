using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>
/// One named line of a <see cref="LineChart"/>. Points are drawn in order; a NaN or infinite coordinate breaks the line there.
/// A null <see cref="Color"/> takes the palette colour of the series' index.
/// </summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points)
{
    public Rgb? Color { get; init; }
    public int Thickness { get; init; } = 2;
    public LineStyle Style { get; init; } = LineStyle.Solid;
    /// <summary>Radius in pixels of a dot drawn at every point; 0 draws none.</summary>
    public float MarkerRadius { get; init; }
    public bool ShowInLegend { get; init; } = true;
}
