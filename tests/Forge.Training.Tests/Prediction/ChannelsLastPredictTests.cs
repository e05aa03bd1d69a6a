using Forge.Models;
using Forge.Testing;
using Forge.Torch;
using Forge.Training.Prediction;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Prediction;

/// <summary>
/// channels_last=true predicts what channels_last=false predicts, for a model with 80 classes: on a CPU that computes the
/// class-logit convolution (80 -> 80, 1x1) wrongly channels_last (an AMD EPYC did: COCO128 mAP50 0.567 instead of 0.594),
/// the backend falls back to NCHW (<see cref="ChannelsLastSetting"/>); elsewhere it runs channels_last and differs by rounding.
/// </summary>
public sealed class ChannelsLastPredictTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Channels_last_output_equals_nchw_for_80_classes()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 80), seed: 4);
        using (var generator = new Generator(9))
        using (no_grad())
            foreach (var bias in model.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal) && p.name.Contains("cv3")))
                bias.parameter.uniform_(-1, 1, generator: generator);   // logits of both signs, as a trained model has
        using var generator2 = new Generator(2);
        using var pixels = rand([2, 3, 96, 128], generator: generator2);
        var images = pixels.data<float>().ToArray();
        var nchw = new TorchDetectionBackend(model, CPU, channelsLast: false).Forward(images, 2, 96, 128, out int anchors);
        var nhwc = new TorchDetectionBackend(model, CPU, channelsLast: true).Forward(images, 2, 96, 128, out _);
        var (boxError, scoreError) = DecodedDifference.Max(nchw, nhwc, classes: 80, anchors);
        bool fellBack = ChannelsLastCheck.Problem(model) is not null;
        output.WriteLine($"{(fellBack ? "NCHW fallback" : "channels_last")}: max |diff| boxes {boxError:G3} px, class scores {scoreError:G3}");
        // Rounding only: float32 sums in another order through ~60 layers. Measured on the AMD EPYC with 16 classes (shapes it
        // computes right): 2.3e-5 px and 1.8e-7, so the bounds leave a 400x margin for other CPUs' kernels; with 80 classes and
        // no fallback the scores there differed by 0.07.
        Assert.True(boxError <= 1e-2, $"boxes differ by {boxError} px");
        Assert.True(scoreError <= 1e-4, $"class scores differ by {scoreError}");
    }
}
