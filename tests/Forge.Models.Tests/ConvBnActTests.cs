using Forge.Torch;
using Forge.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class ConvBnActTests
{
    static string[] StateNames(nn.Module m)
        => m.named_parameters().Select(p => "p:" + p.name).Concat(m.named_buffers().Select(b => "b:" + b.name)).ToArray();

    [Fact]
    public void ReplacingTheNormKeepsNamesAndOrderAndIsUsedInForward()
    {
        using var block = new ConvBnAct(3, 4, kernel: 3);
        var before = StateNames(block);
        Assert.Equal(new[] { "p:conv.weight", "p:bn.weight", "p:bn.bias", "b:bn.running_mean", "b:bn.running_var", "b:bn.num_batches_tracked" }, before);

        var replacement = nn.BatchNorm2d(4, eps: 1e-3, momentum: 0.03);
        using (no_grad())
        {
            replacement.weight.zero_();          // normalised input times 0, plus 2: every output is silu(2)
            replacement.bias!.fill_(HeldScalars.Two);
        }
        var previous = block.ReplaceNorm(replacement);
        Assert.IsType<BatchNorm2d>(previous);
        Assert.NotSame(previous, replacement);
        Assert.Same(replacement, block.Norm);
        Assert.Equal(before, StateNames(block));
        Assert.Same(replacement.weight, block.named_parameters().Single(p => p.name == "bn.weight").parameter);
        previous.Dispose();

        block.eval();
        using var x = randn(2, 3, 8, 8);
        using var y = block.call(x);
        float expected = 2f / (1f + MathF.Exp(-2f));
        using var expectedScalar = HeldScalars.Of(expected);
        Assert.True(y.allclose(full_like(y, expectedScalar), rtol: 0, atol: 1e-6), "forward goes through the replacement norm");
        Assert.False(replacement.training, "train/eval reaches the replacement through the module tree");
    }

    [Fact]
    public void ReplacingTheNormKeepsTheDetectorsParameterNames()
    {
        using var reference = new YoloDetector(ModelScale.N, numClasses: 2);
        using var model = new YoloDetector(ModelScale.N, numClasses: 2);
        foreach (var (_, m) in model.named_modules().ToList())
            if (m is ConvBnAct block) block.ReplaceNorm(nn.BatchNorm2d(block.OutChannels, eps: 1e-3, momentum: 0.03)).Dispose();
        Assert.Equal(StateNames(reference), StateNames(model));
        Assert.Equal(reference.ParameterCount(), model.ParameterCount());
    }
}
