using Forge.Core.Randomness;
using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Loading;
using OpenCvSharp;
using static Forge.Data.Tests.Augmentation.TestImages;

namespace Forge.Data.Tests.Augmentation;

public class GeometricAugmentTests
{
    static LabeledImage Sample(int w = 100, int h = 80) =>
        new(TestImages.Noise(w, h, 7), [new BoxF(10, 20, 30, 40), new BoxF(50, 5, 95, 75)], [1, 2]);

    [Fact]
    public void AffineWithoutRandomRangesIsIdentity()
    {
        using var input = Sample();
        var options = new AugmentOptions { Translate = 0, Scale = 0, Degrees = 0, Shear = 0 };
        using var output = RandomAffine.Apply(input, options, DeterministicRandom.ForSample(1, 2, 3));
        Assert.Equal(Bytes(input.Image), Bytes(output.Image));
        Assert.Equal(input.Boxes, output.Boxes);
        Assert.Equal(input.Classes, output.Classes);
    }

    [Fact]
    public void AffineMatrixMovesBoxesLikeTheImage()
    {
        // A bright square on grey: after a random affine the box must still enclose the bright pixels.
        var img = Filled(64, 64, 0);
        Cv2.Rectangle(img, new Rect(24, 20, 20, 20), Scalar.All(255), -1);
        using var input = new LabeledImage(img, [new BoxF(24, 20, 44, 40)], [0]);
        var options = new AugmentOptions { Degrees = 10, Translate = 0.1, Scale = 0.3, Shear = 5 };
        for (int seed = 0; seed < 20; seed++)
        {
            using var output = RandomAffine.Apply(input, options, DeterministicRandom.ForSample(seed, 0, 0));
            if (output.Count == 0) continue;
            var b = output.Boxes[0];
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    if (At(output.Image, x, y) > 200)
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
        using var s = Sample();
        using var original = s.Image.Clone();
        RandomFlip.FlipLr(s);
        Assert.Equal(new BoxF(70, 20, 90, 40), s.Boxes[0]);
        Assert.Equal(At(original, 0, 3), At(s.Image, 99, 3));
        RandomFlip.FlipLr(s);
        Assert.Equal(Bytes(original), Bytes(s.Image));
        Assert.Equal(new BoxF(10, 20, 30, 40), s.Boxes[0]);

        RandomFlip.FlipUd(s);
        Assert.Equal(new BoxF(10, 40, 30, 60), s.Boxes[0]);
        Assert.Equal(At(original, 5, 0, 1), At(s.Image, 5, 79, 1));
        RandomFlip.FlipUd(s);
        Assert.Equal(Bytes(original), Bytes(s.Image));
        Assert.Equal(new BoxF(50, 5, 95, 75), s.Boxes[1]);
    }

    [Fact]
    public void LetterboxScaleAndPadding()
    {
        var info = Letterbox.Compute(200, 100, 64, 64, scaleUp: true);
        Assert.Equal(new LetterboxInfo(0.32, 0, 16, 64, 32, 64, 64), info);
        var small = Letterbox.Compute(20, 10, 64, 64, scaleUp: false);
        Assert.Equal(new LetterboxInfo(1, 22, 27, 20, 10, 64, 64), small);
        var odd = Letterbox.Compute(10, 10, 64, 61, scaleUp: true);
        Assert.Equal((61, 61, 1, 0, 64, 61), (odd.ContentWidth, odd.ContentHeight, odd.PadLeft, odd.PadTop, odd.Width, odd.Height));
        // auto (predict): padding only up to a multiple of the stride; 200x100 at 64 is 64x32, already a multiple of 32.
        var auto = Letterbox.Compute(200, 100, 64, 64, scaleUp: true, auto: true, stride: 32);
        Assert.Equal((64, 32, 0, 0), (auto.Width, auto.Height, auto.PadLeft, auto.PadTop));
        // 300x110 at 96: 96x35 (round(35.2)); 61 px short of 96 is 29 past a multiple of 32: 14 above, 15 below.
        var autoOdd = Letterbox.Compute(300, 110, 96, 96, scaleUp: true, auto: true, stride: 32);
        Assert.Equal((96, 35, 96, 64, 0, 14), (autoOdd.ContentWidth, autoOdd.ContentHeight, autoOdd.Width, autoOdd.Height, autoOdd.PadLeft, autoOdd.PadTop));
    }

    [Fact]
    public void LetterboxMovesBoxesAndMapsBack()
    {
        using var input = new LabeledImage(Filled(200, 100, 9), [new BoxF(0, 0, 200, 100), new BoxF(50, 25, 100, 75)], [0, 1]);
        using var output = Letterbox.Apply(input, 64, 64, scaleUp: true, out var info);
        Assert.Equal((64, 64), (output.Image.Width, output.Image.Height));
        Assert.Equal(new BoxF(0, 16, 64, 48), output.Boxes[0]);
        Assert.Equal(114, At(output.Image, 10, 5));  // padding
        Assert.Equal(9, At(output.Image, 10, 30));    // content
        var back = new ImageInfo("x", 200, 100, (float)info.Ratio, info.PadLeft, info.PadTop);
        var (x1, y1) = back.ToOriginal(output.Boxes[1].X1, output.Boxes[1].Y1);
        var (x2, y2) = back.ToOriginal(output.Boxes[1].X2, output.Boxes[1].Y2);
        Assert.Equal(50, x1, 3);
        Assert.Equal(25, y1, 3);
        Assert.Equal(100, x2, 3);
        Assert.Equal(75, y2, 3);
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
            using var mosaic = Mosaic4.Apply(tiles, s, rng);
            Assert.Equal((2 * s, 2 * s), (mosaic.Image.Width, mosaic.Image.Height));
            AssertInside(mosaic, 2 * s);
            Assert.Equal(mosaic.Boxes.Length, mosaic.Classes.Length);

            using var final = RandomAffine.Apply(mosaic, new AugmentOptions(), rng, border: -s / 2);
            foreach (var t in tiles) t.Dispose();
            Assert.Equal((s, s), (final.Image.Width, final.Image.Height));
            AssertInside(final, s);
        }
    }

    [Fact]
    public void MosaicPlacesTheFirstTileAgainstTheCentre()
    {
        using var tile = new LabeledImage(Filled(20, 10, 200), [new BoxF(0, 0, 20, 10)], [4]);
        using var others = new LabeledImage(Filled(20, 10, 50), [], []);
        using var mosaic = Mosaic4.Apply([tile, others, others, others], 32, DeterministicRandom.ForSample(3, 0, 0));
        // The first tile's bottom-right corner is the mosaic centre, inside [16, 48).
        var b = mosaic.Boxes[0];
        Assert.Equal(4, mosaic.Classes[0]);
        Assert.InRange(b.X2, 16, 48);
        Assert.InRange(b.Y2, 16, 48);
        Assert.Equal(200, At(mosaic.Image, (int)b.X2 - 1, (int)b.Y2 - 1));
        Assert.Equal(50, At(mosaic.Image, (int)b.X2, (int)b.Y2));
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
