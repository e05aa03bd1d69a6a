using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;

namespace Forge.Data.Loading;

/// <summary>One finished sample: the s x s image, its boxes (pixels, corners) and classes, and where it came from.</summary>
public sealed record LabeledSample(LabeledImage Data, ImageInfo Info)
{
    public RgbImage Image => Data.Image;
    public BoxF[] Boxes => Data.Boxes;
    public int[] Classes => Data.Classes;
}
