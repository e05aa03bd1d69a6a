using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Loading;
using OpenCvSharp;
using static Forge.Data.Tests.Augmentation.TestImages;

namespace Forge.Data.Tests.Augmentation;

public class ColorAndPipelineTests
{
    [Fact]
    public void HsvWithZeroGainsIsIdentity()
    {
        using var img = Noise(16, 16, 4);
        using var copy = img.Clone();
        HsvAugment.Apply(img, 0, 0, 0, DeterministicRandom.ForSample(1, 1, 1));
        Assert.Equal(Bytes(copy), Bytes(img));
    }

    [Fact]
    public void HsvUnitGainsRoundTripClosely()
    {
        using var img = Noise(32, 32, 5);
        using var copy = img.Clone();
        HsvAugment.ApplyGains(img, 1, 1, 1);
        // 8-bit HSV keeps hue in 2-degree steps, so saturated colours may move by a few levels, as in OpenCV.
        var after = Bytes(img);
        var before = Bytes(copy);
        for (int i = 0; i < after.Length; i++) Assert.InRange(after[i] - before[i], -5, 5);

        using var grey = Filled(4, 4, 77);
        HsvAugment.ApplyGains(grey, 1.3, 1.5, 1);
        Assert.All(Bytes(grey), p => Assert.Equal(77, p));
    }

    [Fact]
    public void HsvValueGainScalesBrightness()
    {
        using var img = Filled(2, 2, 200);
        img.Set(0, 0, new Vec3b(250, 100, 50));
        HsvAugment.ApplyGains(img, 1, 1, 0.5);
        Assert.Equal(100, At(img, 1, 0));
        Assert.Equal(125, At(img, 0, 0)); // max channel halves
        Assert.InRange(At(img, 0, 0, 2), 24, 26);
    }

    [Fact]
    public void HsvHueGainRotatesHue()
    {
        using var red = new Mat(1, 1, MatType.CV_8UC3, new Scalar(0, 0, 255)); // hue 0 stays 0 under any gain
        HsvAugment.ApplyGains(red, 1.5, 1, 1);
        Assert.Equal(new byte[] { 0, 0, 255 }, Bytes(red));
        using var green = new Mat(1, 1, MatType.CV_8UC3, new Scalar(0, 255, 0)); // hue 60 (of 180) * 1.5 = 90: cyan
        HsvAugment.ApplyGains(green, 1.5, 1, 1);
        Assert.Equal(new byte[] { 255, 255, 0 }, Bytes(green));
    }

    [Fact]
    public void TrainTransformIsDeterministicAndSquare()
    {
        var source = new TestImages.Source(8, 48, 36);
        var transform = new TrainTransform(64, new AugmentOptions { Degrees = 5, Shear = 2, FlipUd = 0.5, MixUp = 0.5 });
        for (int i = 0; i < 8; i++)
        {
            using var a = transform.Apply(source, i, DeterministicRandom.ForSample(11, 3, i), mosaicEnabled: i % 2 == 0);
            using var b = transform.Apply(source, i, DeterministicRandom.ForSample(11, 3, i), mosaicEnabled: i % 2 == 0);
            Assert.Equal((64, 64), (a.Image.Width, a.Image.Height));
            Assert.Equal(Bytes(a.Image), Bytes(b.Image));
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal(a.Classes, b.Classes);
            foreach (var box in a.Boxes) Assert.True(box.X1 >= 0 && box.Y1 >= 0 && box.X2 <= 64 && box.Y2 <= 64 && box.Area > 0);
        }
        using var other = transform.Apply(source, 0, DeterministicRandom.ForSample(11, 4, 0), true);
        using var first = transform.Apply(source, 0, DeterministicRandom.ForSample(11, 3, 0), true);
        Assert.NotEqual(Bytes(first.Image), Bytes(other.Image));
    }

    [Fact]
    public void TrainTransformWithoutAugmentationIsALetterbox()
    {
        var source = new TestImages.Source(2, 64, 32);
        using var plain = new TrainTransform(64, AugmentOptions.None).Apply(source, 1, DeterministicRandom.ForSample(0, 0, 1), mosaicEnabled: true);
        using var loaded = source.Load(1);
        using var boxed = Letterbox.Apply(loaded, 64, 64, scaleUp: true, out _);
        Assert.Equal(Bytes(boxed.Image), Bytes(plain.Image));
        Assert.Equal(boxed.Boxes, plain.Boxes);
    }

    [Fact]
    public void PerspectiveWarpsWithinUltralyticsRange()
    {
        var source = new TestImages.Source(4, 64, 48);
        var transform = new TrainTransform(64, new AugmentOptions { Perspective = 0.001, Mosaic = 0 });
        using var sample = transform.Apply(source, 2, DeterministicRandom.ForSample(5, 0, 2), mosaicEnabled: true);
        Assert.Equal((64, 64), (sample.Image.Width, sample.Image.Height));
        var e = Assert.Throws<ConfigException>(() => new TrainTransform(64, new AugmentOptions { Perspective = 0.002 }));
        Assert.Equal("perspective=0.002: must be in [0, 0.001]", e.Message);
    }

    [Fact]
    public void OutOfRangeOptionsAreAllNamedByTheUsersKeys()
    {
        var e = Assert.Throws<ConfigException>(() => new AugmentOptions { HsvH = 2, FlipLr = -0.5 }.Validate());
        Assert.Contains("hsv_h=2: must be in [0, 1]", e.Message);
        Assert.Contains("fliplr=-0.5: must be in [0, 1]", e.Message);
        Assert.DoesNotContain("HsvH", e.Message);
    }
}
