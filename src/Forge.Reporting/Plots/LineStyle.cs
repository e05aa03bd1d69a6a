namespace Forge.Reporting.Plots;

public enum LineStyle
{
    Solid,
    Dashed,
    Dotted,
}
