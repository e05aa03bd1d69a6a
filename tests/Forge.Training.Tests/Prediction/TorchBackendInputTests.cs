using Forge.Models;
using Forge.Testing;
using Forge.Torch;
using Forge.Training.Prediction;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Prediction;

/// <summary>The predictor hands the backend a reused buffer that may be longer than the batch (<see cref="Forge.Data.Loading.InferenceInput"/>).</summary>
public sealed class TorchBackendInputTests
{
    [Fact]
    public void Floats_past_the_batch_are_not_read_and_a_short_array_is_refused()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 5);
        var backend = new TorchDetectionBackend(model, CPU);
        var exact = Pixels(seed: 3, 64, 96);
        var longer = exact.Concat(Enumerable.Repeat(float.NaN, 1000)).ToArray();   // NaN would reach the output if read

        var expected = backend.Forward(exact, 1, 64, 96, out int anchors);
        var actual = backend.Forward(longer, 1, 64, 96, out int anchorsLonger);
        Assert.Equal(anchors, anchorsLonger);
        Assert.Equal(expected, actual);   // the same forward on the same floats: bitwise
        Assert.Throws<ArgumentException>(() => backend.Forward(exact[..^1], 1, 64, 96, out _));
    }

    [Fact]
    public void A_run_folds_once_and_keeps_the_fold_until_it_ends()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 6);
        var backend = new TorchDetectionBackend(model, CPU);
        var images = Pixels(seed: 4, 64, 64);
        var before = backend.Forward(images, 1, 64, 64, out _);
        var shift = model.named_parameters().First(p => p.name.EndsWith("bn.bias", StringComparison.Ordinal)).parameter;

        using (backend.BeginRun())
        {
            Assert.Equal(before, backend.Forward(images, 1, 64, 64, out _));   // the same fold as a call of its own
            Assert.Throws<InvalidOperationException>(() => backend.BeginRun());
            using (no_grad()) shift.AddInPlace(1.0);
            Assert.Equal(before, backend.Forward(images, 1, 64, 64, out _));   // folded at the start: the change is not seen
        }
        Assert.NotEqual(before, backend.Forward(images, 1, 64, 64, out _));   // each call folds again: now it is
    }

    [Fact]
    public void The_output_buffer_overload_writes_at_the_start_of_a_long_enough_array_and_replaces_a_short_one()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 7);
        var backend = new TorchDetectionBackend(model, CPU);
        var images = Pixels(seed: 5, 64, 96);
        var expected = backend.Forward(images, 1, 64, 96, out int anchors);

        float[]? buffer = Enumerable.Repeat(float.NaN, expected.Length + 100).ToArray();
        var kept = buffer;
        int count = backend.Forward(images, 1, 64, 96, ref buffer, out int anchorsIntoBuffer);
        Assert.Same(kept, buffer);
        Assert.Equal(expected.Length, count);
        Assert.Equal(anchors, anchorsIntoBuffer);
        Assert.Equal(expected, kept[..count]);
        Assert.All(kept[count..], v => Assert.True(float.IsNaN(v)));   // nothing written past the result

        float[]? shortBuffer = new float[expected.Length - 1];
        Assert.Equal(expected.Length, backend.Forward(images, 1, 64, 96, ref shortBuffer, out _));
        Assert.Equal(expected, shortBuffer);   // replaced by an array of exactly the result's size
        float[]? none = null;
        backend.Forward(images, 1, 64, 96, ref none, out _);
        Assert.Equal(expected, none);
    }

    /// <summary>One image of uniform [0, 1) floats, 3 x <paramref name="height"/> x <paramref name="width"/>, seeded.</summary>
    static float[] Pixels(ulong seed, int height, int width)
    {
        using var generator = new Generator(seed);
        using var pixels = rand([1, 3, height, width], generator: generator);
        return pixels.data<float>().ToArray();
    }
}
