using Forge.Models.Layers;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>
/// ConvBnAct's training path keeps only the convolution's output for backward and recomputes BatchNorm+SiLU there
/// (<see cref="RecomputedBatchNormSilu"/>). Recomputation must change nothing: the same kernels on the same values, so the
/// outputs, every gradient and the running statistics equal the plain autograd path bit for bit.
/// </summary>
public class RecomputedBatchNormSiluTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConvBnActTrainingEqualsThePlainPathBitForBit(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var random = new Generator(7);
        using var block = new ConvBnAct(8, 16, kernel: 3, stride: 2);
        using (no_grad())
        {
            block.Conv.weight.copy_(randn(block.Conv.weight.shape, generator: random).Times(0.2));
            var norm = (TorchSharp.Modules.BatchNorm)block.Norm;
            norm.weight!.copy_(rand(16, generator: random).Plus(0.5));
            norm.bias!.copy_(randn(16, generator: random).Times(0.1));
            norm.running_mean!.copy_(randn(16, generator: random).Times(0.1));
        }
        var input = randn([4, 8, 20, 20], generator: random);
        if (channelsLast) input = ChannelsLast.Of(input);
        var upstream = randn([4, 16, 10, 10], generator: random);
        var norm2 = (TorchSharp.Modules.BatchNorm)block.Norm;
        var (mean0, var0) = (norm2.running_mean!.clone(), norm2.running_var!.clone());

        // Plain autograd: conv, batch_norm (batch statistics, momentum 0.03, eps 1e-3), silu, with copies of every tensor.
        var x1 = input.clone().requires_grad_(true);
        var w1 = block.Conv.weight.detach().clone().requires_grad_(true);
        var g1 = norm2.weight!.detach().clone().requires_grad_(true);
        var b1 = norm2.bias!.detach().clone().requires_grad_(true);
        var (mean1, var1) = (mean0.clone(), var0.clone());
        var c1 = nn.functional.conv2d(x1, w1, strides: [2, 2], padding: [1, 1]);
        var y1 = nn.functional.silu(nn.functional.batch_norm(c1, mean1, var1, g1, b1, true, 0.03, 1e-3));
        y1.mul(upstream).sum().backward();

        block.train();
        block.RecomputeNormalization = true;
        var x2 = input.clone().requires_grad_(true);
        var y2 = block.forward(x2);
        y2.mul(upstream).sum().backward();

        Assert.True(y2.requires_grad);
        AssertBitwise(y1, y2, "output");
        AssertBitwise(x1.grad!, x2.grad!, "input gradient");
        AssertBitwise(w1.grad!, block.Conv.weight.grad!, "conv weight gradient");
        AssertBitwise(g1.grad!, norm2.weight!.grad!, "BatchNorm weight gradient");
        AssertBitwise(b1.grad!, norm2.bias!.grad!, "BatchNorm bias gradient");
        AssertBitwise(mean1, norm2.running_mean!, "running mean");
        AssertBitwise(var1, norm2.running_var!, "running variance");
        Assert.Equal(1L, norm2.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void TheDetectorSetsEveryConvBlockAndBothPathsTrainTheSame()
    {
        using var scope = NewDisposeScope();
        using var plain = new YoloDetector(ModelScale.N, numClasses: 2);
        using var recomputing = new YoloDetector(ModelScale.N, numClasses: 2);
        recomputing.load_state_dict(plain.state_dict());
        int blocks = recomputing.RecomputeNormalization(true);
        Assert.Equal(plain.modules().Count(m => m is ConvBnAct), blocks);
        Assert.All(recomputing.modules().OfType<ConvBnAct>(), b => Assert.True(b.RecomputeNormalization));
        Assert.All(plain.modules().OfType<ConvBnAct>(), b => Assert.False(b.RecomputeNormalization));
        var images = rand([2, 3, 64, 64], generator: new Generator(3));
        plain.train();
        recomputing.train();
        plain.forward(images).sum().backward();
        recomputing.forward(images).sum().backward();
        var expected = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        foreach (var (name, p) in recomputing.named_parameters())
            if (expected[name] is { } g) AssertBitwise(g, p.grad!, $"{name} gradient");
        var buffers = plain.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in recomputing.named_buffers()) AssertBitwise(buffers[name], b, name);
    }

    [Fact]
    public void ATrainingForwardWithoutGradientsTakesThePlainPathAndStillCountsTheBatch()
    {
        using var scope = NewDisposeScope();
        using var block = new ConvBnAct(3, 4, kernel: 3);
        var norm = (TorchSharp.Modules.BatchNorm)block.Norm;
        var x = randn(2, 3, 8, 8);
        block.train();
        Tensor y;
        using (no_grad()) y = block.forward(x);
        Assert.False(y.requires_grad);
        Assert.Equal(1L, norm.num_batches_tracked!.item<long>());
        var expected = nn.functional.silu(nn.functional.batch_norm(nn.functional.conv2d(x, block.Conv.weight.detach(), padding: [1, 1]),
            null, null, norm.weight!.detach(), norm.bias!.detach(), true, 0.03, 1e-3));
        AssertBitwise(expected, y, "output");
    }

    static void AssertBitwise(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(),
            $"{what}: max |difference| {expected.detach().to(ScalarType.Float64).add(actual.detach().to(ScalarType.Float64), HeldScalars.MinusOne).abs().max().item<double>()}, expected bitwise equality");
    }
}
