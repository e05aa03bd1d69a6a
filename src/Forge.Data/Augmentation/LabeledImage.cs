using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Data.Augmentation;

/// <summary>An image with its objects: corner boxes in pixels of this image, and one class id per box.</summary>
public sealed class LabeledImage
{
    public RgbImage Image { get; }
    /// <summary>Boxes in pixels (x1, y1, x2, y2) of <see cref="Image"/>.</summary>
    public BoxF[] Boxes { get; }
    public int[] Classes { get; }

    public LabeledImage(RgbImage image, BoxF[] boxes, int[] classes)
    {
        if (boxes.Length != classes.Length)
            throw new ArgumentException($"{boxes.Length} boxes but {classes.Length} class ids: they must pair up");
        Image = image;
        Boxes = boxes;
        Classes = classes;
    }

    public int Count => Boxes.Length;

    public LabeledImage WithImage(RgbImage image) => new(image, Boxes, Classes);
}
