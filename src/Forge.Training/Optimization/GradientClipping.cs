using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Optimization;

public static class GradientClipping
{
    /// <summary>Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/> (PyTorch's clip_grad_norm_). Returns the norm before clipping.</summary>
    public static double ClipByTotalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return 0;
        var total = stack(grads.Select(g => g.norm()).ToArray()).norm();
        // (total + 1e-6).reciprocal() * maxNorm is TorchSharp's own maxNorm / (total + 1e-6), with held Scalars.
        var coef = total.Plus(1e-6).reciprocal().Times(maxNorm).ClampInPlace(max: 1.0);
        foreach (var g in grads) g.mul_(coef);
        return total.AsDouble();
    }
}
