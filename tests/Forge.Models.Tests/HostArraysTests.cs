using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class HostArraysTests
{
    [Fact]
    public void Floats_are_the_values_in_row_major_order_for_contiguous_and_strided_tensors()
    {
        using var t = tensor(Enumerable.Range(0, 24).Select(v => (float)v).ToArray(), [2, 3, 4]);
        Assert.Equal(Enumerable.Range(0, 24).Select(v => (float)v), HostArrays.Floats(t));
        using var transposed = t.transpose(1, 2);   // (2, 4, 3), not contiguous
        Assert.False(transposed.is_contiguous());
        using var expected = transposed.contiguous();
        Assert.Equal(expected.data<float>().ToArray(), HostArrays.Floats(transposed));
        using var ints = tensor(new[] { 1, 2, 3 });
        Assert.Throws<ArgumentException>(() => HostArrays.Floats(ints));
    }

    [Fact]
    public void CopyFloats_fills_the_start_of_a_long_enough_buffer_and_replaces_a_short_one()
    {
        using var t = tensor(Enumerable.Range(0, 12).Select(v => (float)v).ToArray(), [3, 4]);
        float[]? buffer = null;
        Assert.Equal(12, HostArrays.CopyFloats(t, ref buffer));
        Assert.Equal(Enumerable.Range(0, 12).Select(v => (float)v), buffer!);

        var large = Enumerable.Repeat(-1f, 20).ToArray();
        buffer = large;
        using var transposed = t.t();   // (4, 3), not contiguous: copied in row-major order of its own shape
        Assert.Equal(12, HostArrays.CopyFloats(transposed, ref buffer));
        Assert.Same(large, buffer);
        using var expected = transposed.contiguous();
        Assert.Equal(expected.data<float>().ToArray(), buffer![..12]);
        Assert.All(buffer![12..], v => Assert.Equal(-1f, v));

        buffer = new float[5];
        Assert.Equal(12, HostArrays.CopyFloats(t, ref buffer));
        Assert.Equal(12, buffer!.Length);
        using var ints = tensor(new[] { 1, 2, 3 });
        Assert.Throws<ArgumentException>(() => HostArrays.CopyFloats(ints, ref buffer));
    }
}
