using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests;

/// <summary>Small helpers shared by the tensor tests.</summary>
static class TorchTestUtil
{
    /// <summary>Makes <paramref name="grad"/> the gradient of <paramref name="p"/> (d/dp sum(p * g) = g, exactly).</summary>
    public static void SetGrad(Tensor p, Tensor grad)
    {
        using var loss = (p * grad).sum();
        loss.backward();
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a.detach() - b.detach()).abs().max();
        return d.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Bitwise equality (NaNs with equal payloads compare equal too).</summary>
    public static bool BitwiseEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var ca = a.detach().contiguous();
        using var cb = b.detach().contiguous();
        return ca.bytes.SequenceEqual(cb.bytes);
    }

    public static Tensor Leaf(Tensor values) => values.detach().clone().requires_grad_(true);
}
