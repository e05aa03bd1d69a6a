namespace Forge.Data.Augmentation;

/// <summary>Validation preprocessing: letterbox to s x s without enlarging (Ultralytics val uses scaleup=False), no augmentation.</summary>
public sealed class ValTransform
{
    public int ImageSize { get; }

    public ValTransform(int imageSize)
    {
        if (imageSize < 32) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "image size must be at least 32");
        ImageSize = imageSize;
    }

    public LabeledImage Apply(LabeledImage loaded, out LetterboxInfo info) =>
        Letterbox.Apply(loaded, ImageSize, ImageSize, scaleUp: false, out info);
}
