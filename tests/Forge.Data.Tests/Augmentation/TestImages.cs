using Forge.Core.Randomness;
using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Tests.Augmentation;

/// <summary>Small synthetic 8-bit BGR inputs for augmentation tests.</summary>
public static class TestImages
{
    public static Mat Noise(int w, int h, int seed)
    {
        var rng = DeterministicRandom.ForSample(seed, 0, 0);
        var img = new Mat(h, w, MatType.CV_8UC3);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.Set(y, x, new Vec3b((byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256)));
        return img;
    }

    public static Mat Filled(int w, int h, byte value) => new(h, w, MatType.CV_8UC3, new Scalar(value, value, value));

    /// <summary>Channel <paramref name="c"/> (0 = blue) of pixel (x, y).</summary>
    public static byte At(Mat m, int x, int y, int c = 0) => m.At<Vec3b>(y, x)[c];

    public static byte[] Bytes(Mat m) => Parity.PixelFixtures.Bytes(m);

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
