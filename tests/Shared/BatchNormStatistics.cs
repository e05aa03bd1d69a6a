using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Testing;

/// <summary>
/// Gives every BatchNorm2d of a module seeded non-trivial statistics and affine parameters (mean N(0, 0.2²), variance
/// U(0.5, 1.5), γ U(0.5, 1.5), β N(0, 0.2²)) from a private generator, so that Conv+BN fusion really changes the weights:
/// a fresh BatchNorm is an identity up to eps, and hides fusion mistakes.
/// </summary>
public static class BatchNormStatistics
{
    public static T Randomize<T>(T module, ulong seed) where T : nn.Module
    {
        using var _ = no_grad();
        using var gen = new Generator(seed);
        using var scope = NewDisposeScope();
        foreach (var m in module.modules())
        {
            if (m is not BatchNorm2d bn) continue;
            long c = bn.num_features;
            bn.running_mean!.copy_(randn(c, generator: gen).Times(0.2));
            bn.running_var!.copy_(rand(c, generator: gen).Plus(0.5));
            bn.weight!.copy_(rand(c, generator: gen).Plus(0.5));
            bn.bias!.copy_(randn(c, generator: gen).Times(0.2));
        }
        return module;
    }
}
