namespace Forge.Reporting.Plots;

/// <summary>Where a chart's legend goes; <see cref="Auto"/> picks the corner that hides the fewest data points.</summary>
public enum LegendPosition
{
    Auto,
    TopRight,
    TopLeft,
    BottomRight,
    BottomLeft,
    None,
}
