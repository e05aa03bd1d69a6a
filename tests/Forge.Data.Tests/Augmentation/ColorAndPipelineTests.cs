using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Tests.Augmentation;

public class ColorAndPipelineTests
{
    [Fact]
    public void HsvWithZeroGainsIsIdentity()
    {
        var img = TestImages.Noise(16, 16, 4);
        var copy = img.Clone();
        HsvAugment.Apply(img, 0, 0, 0, DeterministicRandom.ForSample(1, 1, 1));
        Assert.Equal(copy.Pixels, img.Pixels);
    }

    [Fact]
    public void HsvUnitGainsRoundTripClosely()
    {
        var img = TestImages.Noise(32, 32, 5);
        var copy = img.Clone();
        HsvAugment.ApplyGains(img, 1, 1, 1);
        // 8-bit HSV keeps hue in 2-degree steps, so saturated colours may move by a few levels, as in OpenCV.
        for (int i = 0; i < img.Pixels.Length; i++) Assert.InRange(img.Pixels[i] - copy.Pixels[i], -5, 5);

        var grey = RgbImage.Filled(4, 4, 77);
        HsvAugment.ApplyGains(grey, 1.3, 1.5, 1);
        Assert.All(grey.Pixels, p => Assert.Equal(77, p));
    }

    [Fact]
    public void HsvValueGainScalesBrightness()
    {
        var img = RgbImage.Filled(2, 2, 200);
        img.Pixels[0] = 250; img.Pixels[1] = 100; img.Pixels[2] = 50;
        HsvAugment.ApplyGains(img, 1, 1, 0.5);
        Assert.Equal(100, img.Pixels[3]);
        Assert.Equal(125, img.Pixels[0]); // max channel halves
        Assert.InRange(img.Pixels[2], 24, 26);
    }

    [Fact]
    public void HsvHueGainRotatesHue()
    {
        var img = new RgbImage(1, 1, [255, 0, 0]); // hue 0 stays 0 under any gain
        HsvAugment.ApplyGains(img, 1.5, 1, 1);
        Assert.Equal(new byte[] { 255, 0, 0 }, img.Pixels);
        var green = new RgbImage(1, 1, [0, 255, 0]); // hue 60 (of 180) * 1.5 = 90: cyan
        HsvAugment.ApplyGains(green, 1.5, 1, 1);
        Assert.Equal(new byte[] { 0, 255, 255 }, green.Pixels);
    }

    [Fact]
    public void TrainTransformIsDeterministicAndSquare()
    {
        var source = new TestImages.Source(8, 48, 36);
        var transform = new TrainTransform(64, new AugmentOptions { Degrees = 5, Shear = 2, FlipUd = 0.5, MixUp = 0.5 });
        for (int i = 0; i < 8; i++)
        {
            var a = transform.Apply(source, i, DeterministicRandom.ForSample(11, 3, i), mosaicEnabled: i % 2 == 0);
            var b = transform.Apply(source, i, DeterministicRandom.ForSample(11, 3, i), mosaicEnabled: i % 2 == 0);
            Assert.Equal((64, 64), (a.Image.Width, a.Image.Height));
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal(a.Classes, b.Classes);
            foreach (var box in a.Boxes) Assert.True(box.X1 >= 0 && box.Y1 >= 0 && box.X2 <= 64 && box.Y2 <= 64 && box.Area > 0);
        }
        var other = transform.Apply(source, 0, DeterministicRandom.ForSample(11, 4, 0), true);
        Assert.NotEqual(transform.Apply(source, 0, DeterministicRandom.ForSample(11, 3, 0), true).Image.Pixels, other.Image.Pixels);
    }

    [Fact]
    public void TrainTransformWithoutAugmentationIsALetterbox()
    {
        var source = new TestImages.Source(2, 64, 32);
        var plain = new TrainTransform(64, AugmentOptions.None).Apply(source, 1, DeterministicRandom.ForSample(0, 0, 1), mosaicEnabled: true);
        var boxed = Letterbox.Apply(source.Load(1), 64, 64, scaleUp: true, out _);
        Assert.Equal(boxed.Image.Pixels, plain.Image.Pixels);
        Assert.Equal(boxed.Boxes, plain.Boxes);
    }

    [Fact]
    public void ValTransformDoesNotEnlarge()
    {
        var loaded = new TestImages.Source(1, 40, 20).Load(0);
        var output = new ValTransform(64).Apply(loaded, out var info);
        Assert.Equal((64, 64), (output.Image.Width, output.Image.Height));
        Assert.Equal(new LetterboxInfo(1f, 12, 22, 40, 20), info);
        Assert.Equal(loaded.Boxes[0].Offset(12, 22), output.Boxes[0]);
    }

    [Fact]
    public void PerspectiveIsRejected() =>
        Assert.Throws<ArgumentException>(() => new TrainTransform(64, new AugmentOptions { Perspective = 0.001 }));
}
