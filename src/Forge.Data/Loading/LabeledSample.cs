using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>One finished sample: the BGR image, its boxes (pixels, corners) and classes, and where it came from. Dispose it once collated.</summary>
public sealed record LabeledSample(LabeledImage Data, ImageInfo Info) : IDisposable
{
    public Mat Image => Data.Image;
    public BoxF[] Boxes => Data.Boxes;
    public int[] Classes => Data.Classes;

    public void Dispose() => Data.Dispose();
}
