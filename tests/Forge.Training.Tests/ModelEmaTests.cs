using Forge.Torch;
using Forge.Models;
using Forge.Testing;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests;

public class ModelEmaTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.000499825033328626)]     // 0.9999 * (1 - exp(-1/2000))
    [InlineData(2000, 0.6320573467726748)]    // 0.9999 * (1 - e^-1)
    public void DecayFollowsUltralyticsRamp(long updates, double expected)
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        using var ema = new ModelEma(model, () => new YoloDetector(ModelScale.N, 2), updates: updates);
        Assert.Equal(expected, ema.CurrentDecay, 15);
        Assert.Equal(0.9999 * (1 - Math.Exp(-updates / 2000.0)), ema.CurrentDecay, 15);
    }

    [Fact]
    public void StartsAsAnExactFrozenCopyInEvalMode()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 3);
        using var ema = new ModelEma(model, () => new YoloDetector(ModelScale.N, 2));   // a differently initialised model
        var src = model.state_dict();
        var dst = ema.Model.state_dict();
        Assert.Equal(src.Keys.Order(), dst.Keys.Order());
        foreach (var (name, t) in src)
        {
            Assert.True(BitwiseEqual(t, dst[name]), name);
            Assert.NotEqual(t.Handle, dst[name].Handle);
            Assert.False(dst[name].requires_grad, name);
        }
        Assert.False(ema.Model.training);
        Assert.Equal(0, ema.Updates);
    }

    [Fact]
    public void UpdateBlendsParametersAndFloatBuffersAndCopiesIntegerBuffers()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 4);
        // Start late in the ramp so both terms of the blend matter.
        using var ema = new ModelEma(model, () => new YoloDetector(ModelScale.N, 2), updates: 2000);
        const string weight = "model.2.m.0.cv1.conv.weight", mean = "model.0.bn.running_mean", count = "model.0.bn.num_batches_tracked";
        var src = model.state_dict();
        var dst = ema.Model.state_dict();
        using (no_grad())
        {
            using var g = new Generator(4);
            src[weight].AddInPlace(randn(src[weight].shape, generator: g));
            src[mean].copy_(randn(src[mean].shape, generator: g).Times(3));
            using (var seven = HeldScalars.Of(7L)) src[count].fill_(seven);
        }
        var before = dst.ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        ema.Update();

        Assert.Equal(2001, ema.Updates);
        double d = 0.9999 * (1 - Math.Exp(-2001 / 2000.0));
        Assert.Equal(d, ema.CurrentDecay, 15);
        foreach (var name in new[] { weight, mean, "model.22.cv3.1.2.bias", "model.9.cv2.bn.running_var" })
        {
            var expected = before[name].Times(d).Plus(src[name].Times(1 - d));
            Assert.True(MaxAbsDiff(expected, dst[name]) < 1e-6, $"{name}: {MaxAbsDiff(expected, dst[name])}");
        }
        // The perturbed tensors actually moved towards the model, by the (1 - d) share of the difference.
        Assert.True(MaxAbsDiff(dst[weight], before[weight]) > 0.1);
        Assert.Equal(ScalarType.Int64, dst[count].dtype);
        Assert.Equal(7, dst[count].item<long>());
    }

    [Fact]
    public void CopyFromResetsToTheModel()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        using var ema = new ModelEma(model, () => new YoloDetector(ModelScale.N, 2));
        var src = model.state_dict();
        using (no_grad()) src["model.0.conv.weight"].MulInPlace(2);
        ema.CopyFrom();
        Assert.True(BitwiseEqual(src["model.0.conv.weight"], ema.Model.state_dict()["model.0.conv.weight"]));
    }
}
