using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Loss;

/// <summary>
/// Distribution focal loss (Li et al., GFL 2020): a continuous target distance t between bins floor(t) and floor(t)+1 is
/// learned as cross-entropy towards both bins, weighted by closeness. Mean over the 4 sides, one value per box.
/// </summary>
public static class DistributionFocalLoss
{
    /// <param name="logits">(N, 4, regMax) distribution logits.</param>
    /// <param name="target">(N, 4) target distances in bins, in [0, regMax - 1).</param>
    /// <returns>(N, 1) loss per box.</returns>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        long regMax = logits.shape[^1];
        var left = target.to(ScalarType.Int64);
        var right = left.Plus(1L);                       // held Scalars throughout (HeldScalars)
        var weightLeft = right.to(target.dtype) - target;
        var weightRight = weightLeft.SubtractedFrom(1);
        var flat = logits.reshape(-1, regMax);
        var ceLeft = nn.functional.cross_entropy(flat, left.flatten(), reduction: nn.Reduction.None).view(left.shape);
        var ceRight = nn.functional.cross_entropy(flat, right.flatten(), reduction: nn.Reduction.None).view(left.shape);
        return (ceLeft * weightLeft).Plus(ceRight * weightRight).mean([-1], keepdim: true).MoveToOuterDisposeScope();
    }
}
