namespace Forge.Data.Augmentation;

/// <summary>
/// Where augmentations get images from: image i loaded with its long side at the training size (Ultralytics
/// load_image), boxes in pixels of that image. Mosaic and MixUp draw extra images through it.
/// </summary>
public interface ILabeledImageSource
{
    int Count { get; }

    /// <summary>The image and labels of item <paramref name="index"/>. Callers must not modify the returned image (it may be cached).</summary>
    LabeledImage Load(int index);
}
