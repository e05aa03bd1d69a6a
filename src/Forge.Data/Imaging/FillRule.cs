namespace Forge.Data.Imaging;

/// <summary>Which points a self-intersecting polygon covers.</summary>
public enum FillRule
{
    /// <summary>Inside where a ray crosses the outline an odd number of times (overlaps cut holes).</summary>
    EvenOdd,
    /// <summary>Inside where the outline winds around the point at least once (overlaps stay filled).</summary>
    NonZero,
}
