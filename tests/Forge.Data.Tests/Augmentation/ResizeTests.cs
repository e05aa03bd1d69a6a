using Forge.Data.Imaging;

namespace Forge.Data.Tests.Augmentation;

public class ResizeTests
{
    static RgbImage Row(params byte[] grey)
    {
        var img = new RgbImage(grey.Length, 1);
        for (int x = 0; x < grey.Length; x++) img.Pixels[x * 3] = img.Pixels[x * 3 + 1] = img.Pixels[x * 3 + 2] = grey[x];
        return img;
    }

    static byte[] Red(RgbImage img, int y = 0) => Enumerable.Range(0, img.Width).Select(x => img.Pixels[img.Offset(x, y)]).ToArray();

    [Theory]
    [InlineData(37, 23)]
    [InlineData(100, 80)]
    [InlineData(7, 5)]
    [InlineData(13, 40)]
    public void ConstantImageStaysConstant(int w, int h)
    {
        var src = RgbImage.Filled(50, 40, 173);
        foreach (var dst in new[] { Resize.Bilinear(src, w, h), Resize.To(src, w, h), Resize.Area(src, Math.Min(w, 50), Math.Min(h, 40)) })
            Assert.All(dst.Pixels, p => Assert.Equal(173, p));
    }

    [Fact]
    public void BilinearUsesHalfPixelCentres()
    {
        // 2 -> 4: destination centres fall at source -0.25, 0.25, 0.75, 1.25 (edges clamp).
        var up = Resize.Bilinear(Row(0, 100), 4, 1);
        Assert.Equal(new byte[] { 0, 25, 75, 100 }, Red(up));

        var square = new RgbImage(2, 2);
        byte[] values = [0, 100, 200, 40];
        for (int i = 0; i < 4; i++) square.Pixels[i * 3] = values[i];
        var big = Resize.Bilinear(square, 4, 4);
        // Row 1 sits at y = 0.25: 3/4 of the top row plus 1/4 of the bottom row, then the same along x.
        Assert.Equal(new byte[] { 50, 59, 76, 85 }, Red(big, 1));
    }

    [Fact]
    public void AreaAveragesCoveredPixels()
    {
        Assert.Equal(new byte[] { 50, 150 }, Red(Resize.Area(Row(0, 100, 100, 200), 2, 1)));
        // 3 -> 2: each destination covers 1.5 source pixels.
        Assert.Equal(new byte[] { 30, 150 }, Red(Resize.Area(Row(0, 90, 180), 2, 1)));
    }

    [Fact]
    public void ToPicksAreaWhenShrinkingMuch()
    {
        var src = TestImages.Noise(64, 48, 5);
        Assert.Equal(Resize.Area(src, 16, 12).Pixels, Resize.To(src, 16, 12).Pixels);
        Assert.Equal(Resize.Bilinear(src, 50, 40).Pixels, Resize.To(src, 50, 40).Pixels);
        Assert.Equal(Resize.Bilinear(src, 128, 96).Pixels, Resize.To(src, 128, 96).Pixels);
    }

    [Fact]
    public void LongSideSizeFollowsUltralytics()
    {
        Assert.Equal((640, 320), Resize.LongSideSize(1000, 500, 640));
        Assert.Equal((427, 640), Resize.LongSideSize(400, 600, 640)); // ceil(426.67)
        Assert.Equal((64, 64), Resize.LongSideSize(64, 64, 64));
        Assert.Equal((160, 1), Resize.LongSideSize(1000, 1, 160));
    }
}
