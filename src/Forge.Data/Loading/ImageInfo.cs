namespace Forge.Data.Loading;

/// <summary>
/// Where a batch image came from and how it was placed: a point p of the batch image maps back to the original image as
/// (p - pad) / Scale, as Ultralytics' scale_boxes does with a validation batch's ratio_pad. Exact for validation samples
/// (load + letterbox); informative for augmented ones.
/// </summary>
public readonly record struct ImageInfo(string Path, int OriginalWidth, int OriginalHeight, float Scale, float PadX, float PadY)
{
    public (float X, float Y) ToOriginal(float x, float y) => ((x - PadX) / Scale, (y - PadY) / Scale);
}
