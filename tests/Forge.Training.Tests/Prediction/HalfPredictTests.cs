using Forge.Models;
using Forge.Testing;
using Forge.Torch;
using Forge.Training.Prediction;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Prediction;

/// <summary>
/// half=true on CPU (<see cref="TorchDetectionBackend"/> with bfloat16): the forward runs in bfloat16 autocast, so the decoded
/// output moves, by bfloat16 rounding only; the thread leaves the autocast region after each batch.
/// </summary>
public sealed class HalfPredictTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void The_bfloat16_forward_differs_from_float32_by_rounding_only()
    {
        using var model = SeededWeights.HeNormal(new YoloDetector(ModelScale.N, numClasses: 3), seed: 5);   // features that vary, as in a trained model
        using var generator2 = new Generator(6);
        using var pixels = rand([2, 3, 64, 96], generator: generator2);
        var images = pixels.data<float>().ToArray();
        var f32 = new TorchDetectionBackend(model, CPU).Forward(images, 2, 64, 96, out int anchors);
        var bf16 = new TorchDetectionBackend(model, CPU, bfloat16: true).Forward(images, 2, 64, 96, out _);
        Assert.False(Autocast.IsEnabled, "the autocast region is left open after the batch");
        var (boxError, scoreError) = DecodedDifference.Max(f32, bf16, classes: 3, anchors);
        output.WriteLine($"bfloat16 vs float32: max |diff| boxes {boxError:G3} px (input 96x64), class scores {scoreError:G3}");
        Assert.True(boxError + scoreError > 0, "the bfloat16 forward gave float32's output bit for bit: autocast did not take effect");
        // bfloat16 keeps 8 significant bits. Measured for this model (AMD EPYC, AVX512-BF16): 3.7e-4 px and 9.5e-8; the bounds
        // leave a 1000x margin for other CPUs' kernels and still fail a forward that computed garbage. (A trained model moves
        // more: the COCO YOLOv8n's boxes by up to 40 px on low-score anchors, bench/README.md, at the same COCO128 mAP50-95.)
        Assert.True(boxError <= 0.5, $"boxes differ by {boxError} px");
        Assert.True(scoreError <= 1e-4, $"class scores differ by {scoreError}");
    }
}
