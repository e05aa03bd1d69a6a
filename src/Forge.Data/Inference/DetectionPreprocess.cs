using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Inference;

/// <summary>
/// Prediction-time input of a detector (Ultralytics' predict pre-processing): letterbox to the model size, enlarging small
/// images too, grey 114 padding centred, then RGB planes of floats in [0, 1].
/// </summary>
public static class DetectionPreprocess
{
    /// <summary>Letterboxes <paramref name="image"/> to width x height and writes it at <paramref name="offset"/> of
    /// <paramref name="destination"/> (3 x height x width floats).</summary>
    /// <returns>Where the image went, to map boxes back to its pixels.</returns>
    public static ImageInfo Letterbox(RgbImage image, string path, int height, int width, float[] destination, int offset)
    {
        // Enlarge small images too (Ultralytics' predict letterbox does): validation sees every image with its long side
        // at imgsz, so only padding a small one would show the model its objects at a scale it was not trained for.
        var boxed = Augmentation.Letterbox.Apply(image, width, height, scaleUp: true, out var lb);
        Collate.ToChw(boxed, destination, offset);
        return new ImageInfo(path, image.Width, image.Height, lb.Scale, lb.PadX, lb.PadY);
    }

    /// <summary>One image as a batch of one: the input array and where the image went.</summary>
    public static (float[] Input, ImageInfo Info) Letterbox(RgbImage image, string path, int height, int width)
    {
        var input = new float[3 * height * width];
        return (input, Letterbox(image, path, height, width, input, 0));
    }
}
