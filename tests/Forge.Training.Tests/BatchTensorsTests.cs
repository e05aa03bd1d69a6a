using Forge.Data.Loading;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests;

public class BatchTensorsTests
{
    /// <summary>Two 16x16 images whose planes hold every byte value 0..255 (several times, in a varying order).</summary>
    static Batch EveryByteValue()
    {
        const int size = 2, h = 16, w = 16;
        var images = new byte[size * 3 * h * w];
        for (int i = 0; i < images.Length; i++) images[i] = (byte)((i * 7 + i / 256) % 256);
        var infos = new[] { new ImageInfo("a", w, h, 1, 0, 0), new ImageInfo("b", w, h, 1, 0, 0) };
        return new Batch(0, size, h, w, images, [1, 0, 0.5f, 0.5f, 0.2f, 0.2f], infos);
    }

    [Fact]
    public void Float32_images_are_bitwise_each_byte_divided_by_255f()
    {
        using var batch = EveryByteValue();
        Assert.Equal(256, batch.Images.Distinct().Count());
        using var images = BatchTensors.Images(batch, CPU);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, images.shape);
        Assert.Equal(ScalarType.Float32, images.dtype);
        var values = images.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(batch.Images[i] / 255f), BitConverter.SingleToInt32Bits(values[i]));
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void Other_dtypes_are_the_float32_values_cast(ScalarType dtype)
    {
        using var batch = EveryByteValue();
        var floats = batch.Images.Select(v => v / 255f).ToArray();
        using var expected = tensor(floats, [2, 3, 16, 16]).to(dtype);
        using var images = BatchTensors.Images(batch, CPU, dtype);
        Assert.True(BitwiseEqual(expected, images));
    }
}
