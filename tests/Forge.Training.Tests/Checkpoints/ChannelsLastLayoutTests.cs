using Forge.Models;
using Forge.Testing;
using Forge.Torch;
using Forge.Training.Checkpoints;
using Forge.Training.Prediction;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Checkpoints;

/// <summary>
/// channels_last=true keeps the weights' values in NHWC strides: what checkpoints and exports write is the standard layout,
/// weights loaded into the model keep its layout, and channels_last predict gives the NCHW outputs up to float32 rounding.
/// </summary>
public sealed class ChannelsLastLayoutTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static YoloDetector Seeded() => SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 4), seed: 21);

    [Fact]
    public void Checkpoint_records_of_a_channels_last_model_are_the_standard_layout_bytes()
    {
        using var nchw = Seeded();
        using var nhwc = Seeded();
        ChannelsLast.Convert(nhwc);
        foreach (var ((name, a), (_, b)) in nchw.state_dict().Zip(nhwc.state_dict()))
            Assert.True(TensorRecords.FromTensor(name, a).Data.AsSpan().SequenceEqual(TensorRecords.FromTensor(name, b).Data), name);
    }

    [Fact]
    public void Weights_loaded_into_a_channels_last_model_keep_its_layout()
    {
        using var source = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 4), seed: 22);
        using var target = Seeded();
        ChannelsLast.Convert(target);
        var report = ModelFactory.LoadMatching(target, source.state_dict());
        Assert.Empty(report.Missing);
        foreach (var ((name, s), (_, t)) in source.named_parameters().Zip(target.named_parameters()))
        {
            Assert.True(s.to(float64).sub(t.to(float64)).abs().max().item<double>() == 0, $"{name} loaded");
            if (t.dim() == 4 && t.shape[2] * t.shape[3] > 1) Assert.True(ChannelsLast.Is(t), $"{name} still channels_last after loading");   // 1x1: one layout
        }
    }

    [Fact]
    public void Channels_last_predict_gives_the_nchw_outputs_within_float32_rounding()
    {
        using var model = Seeded();
        model.eval();
        var images = new float[2 * 3 * 96 * 128];
        var random = new Random(5);
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.NextDouble();
        var nchw = new TorchDetectionBackend(model, CPU).Forward(images, 2, 96, 128, out int anchors);
        var nhwc = new TorchDetectionBackend(model, CPU, channelsLast: true).Forward(images, 2, 96, 128, out int anchorsCl);
        Assert.Equal(anchors, anchorsCl);
        double range = nchw.Max(v => Math.Abs(v)), diff = nchw.Zip(nhwc).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"max |channels_last - NCHW| = {diff:G3} on outputs up to {range:G3}");
        // Same bound as folding BatchNorm (FusedInferenceTests): float32 summation order only, measured ~1e-7 of the range.
        Assert.True(diff <= 1e-4 * range, $"channels_last outputs differ by {diff} (range {range})");
    }
}
