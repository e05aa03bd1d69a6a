using Forge.Models;
using Forge.Testing;
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
        using var generator = new Generator(3);
        using var pixels = rand([1, 3, 64, 96], generator: generator);
        var exact = pixels.data<float>().ToArray();
        var longer = exact.Concat(Enumerable.Repeat(float.NaN, 1000)).ToArray();   // NaN would reach the output if read

        var expected = backend.Forward(exact, 1, 64, 96, out int anchors);
        var actual = backend.Forward(longer, 1, 64, 96, out int anchorsLonger);
        Assert.Equal(anchors, anchorsLonger);
        Assert.Equal(expected, actual);   // the same forward on the same floats: bitwise
        Assert.Throws<ArgumentException>(() => backend.Forward(exact[..^1], 1, 64, 96, out _));
    }
}
