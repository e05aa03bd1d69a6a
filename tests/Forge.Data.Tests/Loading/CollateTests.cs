using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Tests.Loading;

public class CollateTests
{
    [Fact]
    public void ToChw_writes_the_BGR_pixels_as_R_G_B_byte_planes_at_the_offset()
    {
        Forge.Data.Imaging.OpenCvRuntime.Ensure();
        // 3 wide x 2 high; pixel (x, y) has B = 10x + y, G = 100 + 10x + y, R = 200 + 10x + y.
        using var image = new Mat(2, 3, MatType.CV_8UC3);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                image.Set(y, x, new Vec3b((byte)(10 * x + y), (byte)(100 + 10 * x + y), (byte)(200 + 10 * x + y)));
        const int offset = 5, plane = 6;
        var chw = Enumerable.Repeat((byte)7, offset + 3 * plane + 1).ToArray();
        Collate.ToChw(image, chw, offset);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                int p = offset + y * 3 + x;
                Assert.Equal(200 + 10 * x + y, chw[p]);
                Assert.Equal(100 + 10 * x + y, chw[p + plane]);
                Assert.Equal(10 * x + y, chw[p + 2 * plane]);
            }
        Assert.All(chw[..offset], v => Assert.Equal(7, v));
        Assert.Equal(7, chw[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Collate.ToChw(image, chw, offset + 2));
        using var gray = new Mat(2, 3, MatType.CV_8UC1);
        Assert.Throws<ArgumentException>(() => Collate.ToChw(gray, chw, 0));
    }

    [Fact]
    public void ToUnit_is_exactly_the_value_divided_by_255f_for_every_byte()
    {
        var bytes = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        var floats = new float[257];
        floats[256] = -1;
        Collate.ToUnit(bytes, floats);
        for (int v = 0; v < 256; v++)
            Assert.Equal(BitConverter.SingleToInt32Bits(v / 255f), BitConverter.SingleToInt32Bits(floats[v]));
        Assert.Equal(-1, floats[256]);
        Assert.Throws<ArgumentException>(() => Collate.ToUnit(bytes, new float[255]));
    }

    [Fact]
    public void ToChwUnit_gives_the_floats_of_ToChw_then_ToUnit_and_leaves_the_rest_of_the_destination()
    {
        Forge.Data.Imaging.OpenCvRuntime.Ensure();
        using var image = new Mat(5, 7, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(256));
        var bytes = new byte[3 * 35];
        Collate.ToChw(image, bytes, 0);
        var expected = new float[bytes.Length];
        Collate.ToUnit(bytes, expected);
        var floats = Enumerable.Repeat(-1f, bytes.Length + 2).ToArray();
        Collate.ToChwUnit(image, floats);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(floats[i]));
        Assert.Equal([-1f, -1f], floats[^2..]);
        Assert.Throws<ArgumentException>(() => Collate.ToChwUnit(image, new float[3 * 35 - 1]));
        using var gray = new Mat(5, 7, MatType.CV_8UC1);
        Assert.Throws<ArgumentException>(() => Collate.ToChwUnit(gray, floats));
    }
}
