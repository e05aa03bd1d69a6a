using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Tests.Augmentation;

public class GeometricAugmentTests
{
    static LabeledImage Sample(int w = 100, int h = 80) =>
        new(TestImages.Noise(w, h, 7), [new BoxF(10, 20, 30, 40), new BoxF(50, 5, 95, 75)], [1, 2]);

    [Fact]
    public void AffineWithoutRandomRangesIsIdentity()
    {
        var input = Sample();
        var options = new AugmentOptions { Translate = 0, Scale = 0, Degrees = 0, Shear = 0 };
        var output = RandomAffine.Apply(input, options, DeterministicRandom.ForSample(1, 2, 3));
        Assert.Equal(input.Image.Pixels, output.Image.Pixels);
        Assert.Equal(input.Boxes, output.Boxes);
        Assert.Equal(input.Classes, output.Classes);
    }

    [Fact]
    public void AffineMatrixMovesBoxesLikeTheImage()
    {
        // A bright square on grey: after a random affine the box must still enclose the bright pixels.
        var img = RgbImage.Filled(64, 64, 0);
        for (int y = 20; y < 40; y++) for (int x = 24; x < 44; x++) for (int c = 0; c < 3; c++) img.Pixels[img.Offset(x, y) + c] = 255;
        var input = new LabeledImage(img, [new BoxF(24, 20, 44, 40)], [0]);
        var options = new AugmentOptions { Degrees = 10, Translate = 0.1, Scale = 0.3, Shear = 5 };
        for (int seed = 0; seed < 20; seed++)
        {
            var output = RandomAffine.Apply(input, options, DeterministicRandom.ForSample(seed, 0, 0));
            if (output.Count == 0) continue;
            var b = output.Boxes[0];
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    if (output.Image.Pixels[output.Image.Offset(x, y)] > 200)
                        Assert.True(x >= b.X1 - 1 && x <= b.X2 + 1 && y >= b.Y1 - 1 && y <= b.Y2 + 1, $"seed {seed}: bright pixel ({x},{y}) outside {b}");
        }
    }

    [Fact]
    public void BoxCandidatesFollowUltralyticsThresholds()
    {
        Assert.True(RandomAffine.IsCandidate(10, 10, new BoxF(0, 0, 10, 10)));
        Assert.False(RandomAffine.IsCandidate(10, 10, new BoxF(0, 0, 2, 10)));  // side not above 2 px
        Assert.False(RandomAffine.IsCandidate(100, 100, new BoxF(0, 0, 30, 30))); // 9% of the area left
        Assert.True(RandomAffine.IsCandidate(100, 100, new BoxF(0, 0, 40, 30)));
        Assert.False(RandomAffine.IsCandidate(1000, 3, new BoxF(0, 0, 500, 3))); // aspect 166
    }

    [Fact]
    public void FlipTwiceIsIdentityAndBoxesMirror()
    {
        var s = Sample();
        var original = s.Image.Clone();
        RandomFlip.FlipLr(s);
        Assert.Equal(new BoxF(70, 20, 90, 40), s.Boxes[0]);
        Assert.Equal(original.Pixels[original.Offset(0, 3)], s.Image.Pixels[s.Image.Offset(99, 3)]);
        RandomFlip.FlipLr(s);
        Assert.Equal(original.Pixels, s.Image.Pixels);
        Assert.Equal(new BoxF(10, 20, 30, 40), s.Boxes[0]);

        RandomFlip.FlipUd(s);
        Assert.Equal(new BoxF(10, 40, 30, 60), s.Boxes[0]);
        Assert.Equal(original.Pixels[original.Offset(5, 0) + 1], s.Image.Pixels[s.Image.Offset(5, 79) + 1]);
        RandomFlip.FlipUd(s);
        Assert.Equal(original.Pixels, s.Image.Pixels);
        Assert.Equal(new BoxF(50, 5, 95, 75), s.Boxes[1]);
    }

    [Fact]
    public void LetterboxScaleAndPadding()
    {
        var info = Letterbox.Compute(200, 100, 64, 64, scaleUp: true);
        Assert.Equal(new LetterboxInfo(0.32f, 0, 16, 64, 32), info);
        var small = Letterbox.Compute(20, 10, 64, 64, scaleUp: false);
        Assert.Equal(new LetterboxInfo(1f, 22, 27, 20, 10), small);
        var odd = Letterbox.Compute(10, 10, 64, 61, scaleUp: true);
        Assert.Equal((61, 61, 1, 0), (odd.ContentWidth, odd.ContentHeight, odd.PadX, odd.PadY));
    }

    [Fact]
    public void LetterboxMovesBoxesAndMapsBack()
    {
        var input = new LabeledImage(RgbImage.Filled(200, 100, 9), [new BoxF(0, 0, 200, 100), new BoxF(50, 25, 100, 75)], [0, 1]);
        var output = Letterbox.Apply(input, 64, 64, scaleUp: true, out var info);
        Assert.Equal((64, 64), (output.Image.Width, output.Image.Height));
        Assert.Equal(new BoxF(0, 16, 64, 48), output.Boxes[0]);
        Assert.Equal(114, output.Image.Pixels[output.Image.Offset(10, 5)]);  // padding
        Assert.Equal(9, output.Image.Pixels[output.Image.Offset(10, 30)]);    // content
        var back = info.ToSource(output.Boxes[1]);
        Assert.Equal(50, back.X1, 3);
        Assert.Equal(25, back.Y1, 3);
        Assert.Equal(100, back.X2, 3);
        Assert.Equal(75, back.Y2, 3);
    }

    [Fact]
    public void MosaicThenAffineGivesSquareSampleWithBoxesInside()
    {
        const int s = 64;
        var source = new TestImages.Source(6, 64, 40);
        var tallSource = new TestImages.Source(6, 30, 64);
        for (int seed = 0; seed < 25; seed++)
        {
            var rng = DeterministicRandom.ForSample(seed, 0, 0);
            LabeledImage[] tiles = [source.Load(0), tallSource.Load(1), source.Load(2), tallSource.Load(3)];
            var mosaic = Mosaic4.Apply(tiles, s, rng);
            Assert.Equal((2 * s, 2 * s), (mosaic.Image.Width, mosaic.Image.Height));
            AssertInside(mosaic, 2 * s);
            Assert.Equal(mosaic.Boxes.Length, mosaic.Classes.Length);

            var final = RandomAffine.Apply(mosaic, new AugmentOptions(), rng, border: -s / 2);
            Assert.Equal((s, s), (final.Image.Width, final.Image.Height));
            AssertInside(final, s);
        }
    }

    [Fact]
    public void MosaicPlacesTheFirstTileAgainstTheCentre()
    {
        var tile = new LabeledImage(RgbImage.Filled(20, 10, 200), [new BoxF(0, 0, 20, 10)], [4]);
        var others = new LabeledImage(RgbImage.Filled(20, 10, 50), [], []);
        var mosaic = Mosaic4.Apply([tile, others, others, others], 32, DeterministicRandom.ForSample(3, 0, 0));
        // The first tile's bottom-right corner is the mosaic centre, inside [16, 48).
        var b = mosaic.Boxes[0];
        Assert.Equal(4, mosaic.Classes[0]);
        Assert.InRange(b.X2, 16, 48);
        Assert.InRange(b.Y2, 16, 48);
        Assert.Equal(200, mosaic.Image.Pixels[mosaic.Image.Offset((int)b.X2 - 1, (int)b.Y2 - 1)]);
        Assert.Equal(50, mosaic.Image.Pixels[mosaic.Image.Offset((int)b.X2, (int)b.Y2)]);
    }

    static void AssertInside(LabeledImage s, int size)
    {
        foreach (var b in s.Boxes)
        {
            Assert.InRange(b.X1, 0, size);
            Assert.InRange(b.Y1, 0, size);
            Assert.InRange(b.X2, 0, size);
            Assert.InRange(b.Y2, 0, size);
            Assert.True(b.Width > 0 && b.Height > 0, $"empty box {b}");
        }
    }
}
