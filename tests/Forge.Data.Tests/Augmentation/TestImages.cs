using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Tests.Augmentation;

/// <summary>Small synthetic inputs for augmentation tests.</summary>
public static class TestImages
{
    public static RgbImage Noise(int w, int h, int seed)
    {
        var rng = DeterministicRandom.ForSample(seed, 0, 0);
        var img = new RgbImage(w, h);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)rng.NextInt(256);
        return img;
    }

    /// <summary>An in-memory image source: image i is a w x h noise image with two boxes.</summary>
    public sealed class Source(int count, int width, int height) : ILabeledImageSource
    {
        public int Count => count;

        public LabeledImage Load(int index) => new(
            Noise(width, height, index + 1),
            [new BoxF(width * 0.1f, height * 0.2f, width * 0.5f, height * 0.6f), new BoxF(width * 0.6f, height * 0.5f, width * 0.95f, height * 0.9f)],
            [index % 3, (index + 1) % 3]);
    }
}
