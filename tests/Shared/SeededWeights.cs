using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Testing;

/// <summary>
/// Gives a module starting weights that depend on a seed only, not on the process-wide torch generator. xunit runs test
/// classes in parallel and in a shuffled order, and every <c>new YoloDetector(...)</c>, <c>rand(...)</c> or
/// <c>manual_seed(...)</c> of another test moves that shared generator, so <c>manual_seed(s); new Model()</c> in a test
/// yields different weights from run to run.
/// </summary>
public static class SeededWeights
{
    /// <summary>
    /// Redraws every trainable parameter of rank 2 or more (convolution and linear weights) from a private generator with
    /// PyTorch's default initialisation, <c>kaiming_uniform_(a=√5)</c> = U(−1/√fan_in, 1/√fan_in) with fan_in = input
    /// channels × kernel area (torch/nn/modules/conv.py, reset_parameters). Rank-1 parameters keep the values the
    /// constructor gave them, which for Forge's layers do not come from the generator (BatchNorm γ = 1, β = 0, the
    /// detection head's output-bias prior). Buffers are untouched.
    /// </summary>
    /// <returns><paramref name="module"/>, for chaining.</returns>
    public static T Reset<T>(T module, ulong seed) where T : nn.Module
    {
        using var generator = new Generator(seed);
        using var _ = no_grad();
        foreach (var (_, p) in module.named_parameters())
        {
            if (!p.requires_grad || p.dim() < 2) continue;
            long fanIn = p.numel() / p.shape[0];
            double bound = 1.0 / Math.Sqrt(fanIn);
            p.uniform_(-bound, bound, generator);
        }
        return module;
    }

    /// <summary>
    /// Redraws every convolution weight (rank 4) from a private generator with He's normal initialisation, N(0, 2/fan_in),
    /// fan_in = input channels × kernel area (He et al. 2015, "Delving deep into rectifiers"): features keep their scale
    /// through the network and vary from image to image, as a trained model's do, where the default initialisation lets
    /// them fade. Other parameters and buffers are untouched.
    /// </summary>
    /// <returns><paramref name="module"/>, for chaining.</returns>
    public static T HeNormal<T>(T module, ulong seed) where T : nn.Module
    {
        using var generator = new Generator(seed);
        using var _ = no_grad();
        foreach (var p in module.parameters().Where(p => p.dim() == 4))
            p.normal_(0, Math.Sqrt(2.0 / (p.shape[1] * p.shape[2] * p.shape[3])), generator);
        return module;
    }
}
