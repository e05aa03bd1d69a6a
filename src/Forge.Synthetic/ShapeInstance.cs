using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Synthetic;

/// <summary>
/// One labelled object of a generated scene. <see cref="Box"/> is tight around all of the shape's rasterised pixels
/// (coverage at least one half), hidden parts included, in pixel coordinates with exclusive right/bottom edges.
/// </summary>
public sealed record ShapeInstance(ShapeKind Kind, BoxF Box, Rgb Color, int PixelCount, float VisibleFraction)
{
    public int ClassId => (int)Kind;
}
