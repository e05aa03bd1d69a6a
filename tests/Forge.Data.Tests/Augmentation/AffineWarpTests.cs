using Forge.Data.Imaging;

namespace Forge.Data.Tests.Augmentation;

public class AffineWarpTests
{
    [Fact]
    public void IdentityCopiesPixels()
    {
        var src = TestImages.Noise(23, 17, 1);
        var dst = AffineWarp.Apply(src, [1, 0, 0, 0, 1, 0], 23, 17);
        Assert.Equal(src.Pixels, dst.Pixels);
    }

    [Fact]
    public void IntegerTranslationShiftsAndPadsWithBorder()
    {
        var src = TestImages.Noise(10, 8, 2);
        var dst = AffineWarp.Apply(src, [1, 0, 2, 0, 1, 1], 10, 8, border: 114);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 10; x++)
                for (int c = 0; c < 3; c++)
                {
                    int expected = x >= 2 && y >= 1 ? src.Pixels[src.Offset(x - 2, y - 1) + c] : 114;
                    Assert.Equal(expected, dst.Pixels[dst.Offset(x, y) + c]);
                }
    }

    [Fact]
    public void HalfPixelShiftAveragesNeighbours()
    {
        var src = new RgbImage(4, 1);
        byte[] v = [0, 100, 200, 50];
        for (int x = 0; x < 4; x++) src.Pixels[x * 3] = v[x];
        // dst x samples src x + 0.5; the last one half-covers the border value 0.
        var dst = AffineWarp.Apply(src, [1, 0, -0.5f, 0, 1, 0], 4, 1, border: 0);
        Assert.Equal(new byte[] { 50, 150, 125, 25 }, Enumerable.Range(0, 4).Select(x => dst.Pixels[x * 3]).ToArray());
    }

    [Fact]
    public void DownscaleByTwoSamplesEveryOtherPixel()
    {
        var src = TestImages.Noise(16, 16, 3);
        var dst = AffineWarp.Apply(src, [0.5f, 0, 0, 0, 0.5f, 0], 8, 8);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                Assert.Equal(src.Pixels[src.Offset(2 * x, 2 * y)], dst.Pixels[dst.Offset(x, y)]);
    }

    [Fact]
    public void SingularMatrixIsRejected() =>
        Assert.Throws<ArgumentException>(() => AffineWarp.Apply(TestImages.Noise(4, 4, 0), [1, 2, 0, 2, 4, 0], 4, 4));
}
