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
}
