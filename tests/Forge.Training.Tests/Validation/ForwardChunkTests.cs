using Forge.Data.Datasets;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Testing;
using Forge.Training.Tests.Integration;
using Forge.Training.Validation;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Validation;

/// <summary>
/// A validation batch larger than the forward budget (Validator's forwardPixels; on the CPU <see cref="Validator.CpuForwardPixels"/>)
/// runs as several TorchSharp forwards whose outputs are concatenated in order: the loss and the metrics are those of one
/// forward of the whole batch.
/// </summary>
public sealed class ForwardChunkTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void A_batch_in_forwards_of_one_image_gives_the_loss_and_metrics_of_one_forward()
    {
        using var temp = new TempDirectory("forge-val-chunks-");
        var spec = DatasetResolver.Load(TinyDatasets.Shapes(temp.Combine("shapes"), trainImages: 2, valImages: 5));
        var index = TinyDatasets.ValIndex(spec);
        using var model = SeededWeights.HeNormal(new YoloDetector(ModelScale.N, spec.NumClasses), seed: 4);
        var loss = new DetectionLoss(model);
        ValidationResult Run(long? forwardPixels) =>
            new Validator(index, spec.Names, 96, batch: 3, workers: 1, CPU, forwardPixels: forwardPixels).Run(model, loss);

        var whole = Run(0);
        var byDefault = Run(null);   // 3 x 96 x 96 pixels are far below CpuForwardPixels: one forward, the same arithmetic
        var single = Run(96 * 96);   // one image per forward: batches of 3 and 2 images run as 3 and 2 forwards
        var tiny = Run(1);           // a budget below one image still runs one image per forward
        output.WriteLine($"loss box/cls/dfl whole {whole.Loss.Box:G9} {whole.Loss.Cls:G9} {whole.Loss.Dfl:G9}; " +
                         $"one image per forward {single.Loss.Box:G9} {single.Loss.Cls:G9} {single.Loss.Dfl:G9}");
        Assert.Equal((whole.Loss.Box, whole.Loss.Cls, whole.Loss.Dfl), (byDefault.Loss.Box, byDefault.Loss.Cls, byDefault.Loss.Dfl));
        Assert.Equal((single.Loss.Box, single.Loss.Cls, single.Loss.Dfl), (tiny.Loss.Box, tiny.Loss.Cls, tiny.Loss.Dfl));
        // One forward of 1 image and one of 3 may sum in another order (oneDNN picks kernels by shape): float32 rounding,
        // relative ~1e-7 per value; 1e-4 on the loss leaves room for other CPUs and still fails images out of order.
        foreach (var (a, b) in new[] { (whole.Loss.Box, single.Loss.Box), (whole.Loss.Cls, single.Loss.Cls), (whole.Loss.Dfl, single.Loss.Dfl) })
            Assert.True(Math.Abs(a - b) <= 1e-4 * Math.Abs(a), $"loss {b} in forwards of one image, {a} in one forward");
        Assert.Equal(whole.Metrics.Map50To95, single.Metrics.Map50To95, 6);
        Assert.Equal(whole.Metrics.Map50, single.Metrics.Map50, 6);
        Assert.Equal(whole.Metrics.Precision, single.Metrics.Precision, 6);
        Assert.Equal(whole.Metrics.Recall, single.Metrics.Recall, 6);
    }
}
