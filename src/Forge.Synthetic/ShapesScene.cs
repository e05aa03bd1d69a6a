using Forge.Data.Imaging;

namespace Forge.Synthetic;

/// <summary>
/// A generated image and its objects. <see cref="Background"/> is the image just before the first object was painted
/// (gradient and clutter under the objects, before pixel noise), which lets tests check that labelled boxes hold the shapes.
/// </summary>
public sealed record ShapesScene(RgbImage Image, RgbImage Background, IReadOnlyList<ShapeInstance> Objects);
