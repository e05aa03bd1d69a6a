using Forge.Torch;
using Forge.Models.Layers;
using Forge.Testing;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>BatchNorm folded into the convolutions (YoloDetector.FuseForInference) gives the unfused eval outputs.</summary>
public class FusedInferenceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void FusedEvalForwardMatchesConvThenBatchNorm()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 5);
        using var generator = new Generator(5);
        using (no_grad())
        {
            // Non-trivial running statistics and affine parameters, so the fold has something to fold.
            foreach (var block in model.modules().OfType<ConvBnAct>())
                if (block.Norm is TorchSharp.Modules.BatchNorm2d bn)
                {
                    bn.running_mean!.copy_(randn(bn.running_mean.shape, generator: generator).Times(0.1));
                    bn.running_var!.copy_(rand(bn.running_var.shape, generator: generator).Plus(0.5));
                    bn.weight!.copy_(rand(bn.weight.shape, generator: generator).Plus(0.5));
                    bn.bias!.copy_(randn(bn.bias.shape, generator: generator).Times(0.1));
                }
        }
        model.eval();
        using var images = rand(2, 3, 64, 64, generator: generator);
        using var _ = no_grad();
        using var plain = model.forward(images).to(float64);
        using (model.FuseForInference())
        {
            using var fused = model.forward(images).to(float64);
            // Float32 rounding of the folded weights through 22 layers: measured 9.5e-7 on an output range of 8.3 (1.1e-7 of
            // it, AVX-512); the bound leaves ~1000x for other CPUs and summation orders.
            double tolerance = 1e-4 * plain.abs().max().item<double>();
            output.WriteLine($"max |fused - plain| = {(fused - plain).abs().max().item<double>():G3}, output range {plain.abs().max().item<double>():G3}");
            Assert.True((fused - plain).abs().max().item<double>() <= tolerance, $"fused differs by {(fused - plain).abs().max().item<double>()} (tolerance {tolerance})");
        }
        using var released = model.forward(images).to(float64);
        Assert.True((released - plain).abs().max().item<double>() == 0, "after the fused handle is disposed, eval runs conv and BatchNorm again");
        model.train();
        using (model.FuseForInference())
        {
            using var training = model.forward(images);   // train mode never takes the folded path (batch statistics)
            Assert.Equal(plain.shape, training.shape);
        }
    }
}
