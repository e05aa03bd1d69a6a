using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// An 8-bit BGR image (OpenCV <see cref="Mat"/>, the channel order Ultralytics keeps until collation) with its objects:
/// corner boxes in pixels of this image and one class id per box. Disposing releases the image's native memory unless the
/// image is shared (a cached image handed out read-only, <see cref="OwnsImage"/> false).
/// </summary>
public sealed class LabeledImage : IDisposable
{
    public Mat Image { get; }
    /// <summary>Boxes in pixels (x1, y1, x2, y2) of <see cref="Image"/>.</summary>
    public BoxF[] Boxes { get; }
    public int[] Classes { get; }
    /// <summary>False for an image that belongs to a cache: read it, never modify or dispose it.</summary>
    public bool OwnsImage { get; }

    public LabeledImage(Mat image, BoxF[] boxes, int[] classes, bool ownsImage = true)
    {
        if (boxes.Length != classes.Length)
            throw new ArgumentException($"{boxes.Length} boxes but {classes.Length} class ids: they must pair up");
        if (image.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"images must be 8-bit, 3-channel BGR (CV_8UC3), got {image.Type()}", nameof(image));
        Image = image;
        Boxes = boxes;
        Classes = classes;
        OwnsImage = ownsImage;
    }

    public int Count => Boxes.Length;
    public int Width => Image.Width;
    public int Height => Image.Height;

    /// <summary>A labelled image that owns <paramref name="image"/> and copies of these labels.</summary>
    public LabeledImage WithImage(Mat image) => new(image, (BoxF[])Boxes.Clone(), (int[])Classes.Clone());

    public void Dispose()
    {
        if (OwnsImage) Image.Dispose();
    }
}
