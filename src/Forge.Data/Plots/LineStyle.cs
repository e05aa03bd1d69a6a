namespace Forge.Data.Plots;

public enum LineStyle
{
    Solid,
    Dashed,
    Dotted,
}
