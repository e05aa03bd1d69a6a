namespace Forge.Data.Augmentation;

/// <summary>
/// Where augmentations get images from: image i loaded with its long side at the training size (Ultralytics
/// load_image), boxes in pixels of that image. Mosaic and MixUp draw extra images through it.
/// </summary>
public interface ILabeledImageSource
{
    int Count { get; }

    /// <summary>
    /// The image and labels of item <paramref name="index"/>; the caller disposes the result. A cached image comes back
    /// shared (<see cref="LabeledImage.OwnsImage"/> false): read it, never modify it.
    /// </summary>
    LabeledImage Load(int index);
}
