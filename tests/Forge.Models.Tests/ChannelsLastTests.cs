using Forge.Models.Loss;
using Forge.Testing;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>
/// channels_last (NHWC strides, <see cref="ChannelsLast"/>) changes only the memory order: a training step gives the NCHW
/// step's loss and gradients up to float32 rounding, and the weights keep their values and shapes.
/// </summary>
public class ChannelsLastTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static YoloDetector Seeded() => SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 11);

    static (double Loss, Dictionary<string, Tensor> Grads) Step(YoloDetector model, Tensor images, bool channelsLast)
    {
        model.train();
        var loss = new DetectionLoss(model);
        float[] rows = [0, 1, 0.5f, 0.5f, 0.4f, 0.3f, 0, 0, 0.3f, 0.7f, 0.2f, 0.2f, 1, 2, 0.3f, 0.6f, 0.2f, 0.5f];
        using var targets = new TargetBatch(rows, 3, 2, 64, 64, CPU);
        using var scope = NewDisposeScope();
        var x = images.to(model.parameters().First().dtype);
        var (total, _) = loss.Compute(model.forward(channelsLast ? ChannelsLast.Of(x) : x), targets, 64, 64);
        total.backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.to(float64).DetachFromDisposeScope());
        return (total.to(float64).item<double>(), grads);
    }

    [Fact]
    public void Convert_keeps_values_and_lays_conv_weights_out_nhwc()
    {
        using var nchw = Seeded();
        using var nhwc = Seeded();
        int converted = ChannelsLast.Convert(nhwc);
        Assert.True(converted > 50, $"{converted} convolution weights converted");
        foreach (var ((name, a), (_, b)) in nchw.named_parameters().Zip(nhwc.named_parameters()))
        {
            Assert.Equal(a.shape, b.shape);
            Assert.True(a.to(float64).sub(b.to(float64)).abs().max().item<double>() == 0, name);
            // A 1x1 kernel's memory is the same in both layouts (libtorch counts it as both); larger kernels change.
            if (b.dim() == 4 && b.shape[2] * b.shape[3] > 1) Assert.True(ChannelsLast.Is(b) && !b.is_contiguous(), $"{name} is channels_last");
        }
    }

    [Fact]
    public void Training_step_matches_nchw_within_float32_rounding()
    {
        using var generator = new Generator(3);
        using var images = rand(2, 3, 64, 64, generator: generator);
        using var reference = Seeded();
        reference.to(float64);
        using var nchw = Seeded();
        using var nhwc = Seeded();
        ChannelsLast.Convert(nhwc);
        var (loss64, grads64) = Step(reference, images, channelsLast: false);
        var (loss32, grads32) = Step(nchw, images, channelsLast: false);
        var (lossCl, gradsCl) = Step(nhwc, images, channelsLast: true);
        double scale = grads64.Values.Max(g => g.abs().max().item<double>());
        double Error(Dictionary<string, Tensor> grads) => grads64.Max(kv => (grads[kv.Key] - kv.Value).abs().max().item<double>());
        double nchwError = Error(grads32), clError = Error(gradsCl);
        output.WriteLine($"loss: float64 {loss64:G9}, NCHW {loss32:G9}, channels_last {lossCl:G9}; largest gradient {scale:G3}; " +
                         $"max |grad - float64 grad|: NCHW {nchwError:G3}, channels_last {clError:G3}");
        Assert.Equal(grads64.Count, gradsCl.Count);
        // Both are float32 computations of the same step in different summation orders: each may be as far from the float64
        // result as float32 allows, so channels_last is held to the NCHW step's own float32 error (x10 for other CPUs' kernels),
        // with a floor of 1e-6 of the largest gradient for the case where NCHW happens to round very closely.
        double bound = 10 * Math.Max(nchwError, 1e-6 * scale);
        Assert.True(clError <= bound, $"channels_last gradients are {clError:G3} from float64 (NCHW: {nchwError:G3}, bound {bound:G3})");
        Assert.True(Math.Abs(lossCl - loss64) <= 10 * Math.Max(Math.Abs(loss32 - loss64), 1e-6 * Math.Abs(loss64)),
                    $"loss {lossCl} vs float64 {loss64} (NCHW {loss32})");
        foreach (var g in grads64.Values.Concat(grads32.Values).Concat(gradsCl.Values)) g.Dispose();
    }
}
