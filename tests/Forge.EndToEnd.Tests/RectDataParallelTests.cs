using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// rect=true under data-parallel ranks: every rank's slice of a global batch is letterboxed to that batch's rectangle, so two
/// ranks of 4 compute the update one process computes on the global batch of 8 (Ultralytics instead turns rect off for
/// multi-GPU training).
/// </summary>
public class RectDataParallelTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 24, valImages: 4);

    public RectDataParallelTests()
    {
        // Landscape 64x32 and portrait 32x64 images (labels are normalised, so they stay right): two batch shapes.
        var train = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(data.DataYaml)!, "images", "train"), "*.jpg").Order().ToArray();
        for (int i = 0; i < train.Length; i++)
        {
            using var image = ImageFile.Read(train[i]);
            using var stretched = image.Resize(i % 2 == 0 ? new Size(64, 32) : new Size(32, 64), 0, 0, InterpolationFlags.Area);
            ImageFile.Write(stretched, train[i]);
        }
    }

    public void Dispose() => data.Dispose();

    /// <summary>
    /// Three optimizer steps in float64 (the bound of <see cref="DistributedTrainingTests"/>: summation order moves weights by
    /// ~1e-12, a wrong batch shape or sample on a rank by far more). The steps cover both shapes: 12 landscape images, then
    /// 12 portrait ones, in global batches of 8.
    /// </summary>
    [Fact]
    public void TwoRanksOfFourEqualOneRankOfEightWithRectangularBatches()
    {
        var one = TrainThreeSteps("rect-one", ranks: 1);
        var two = TrainThreeSteps("rect-two", ranks: 2);
        var (worst, where) = DistributedTrainingTests.MaxAbsDifference(one, two);
        Assert.True(worst <= 1e-9, $"rect=true, float64: max abs difference {worst:E2} in {where} between 2 ranks and 1 (bound 1e-9)");
    }

    Dictionary<string, double[]> TrainThreeSteps(string name, int ranks)
    {
        string[] common = ["rect=true", "batch=8", "nbs=8", "optimizer=SGD", "lr0=0.01", "max_norm=1e9", "sync_bn=true", "val=false", "epochs=2"];
        var (code, text) = MpiJob.Run(ranks, "Forge.EndToEnd.Harness.dll", ["plain", "--dtype=float64", .. data.TrainArgs(name, common).Skip(1)],
            data.Root, new Dictionary<string, string> { ["FORGE_STOP_AT_STEP"] = "3" });
        Assert.True(code == 0, text);
        Assert.Contains("rect=true: 3 training batches of 3 shapes (height x width): 32x64, 64x64, 64x32", text);
        Assert.Contains($"global batch 8 = {ranks} x {8 / ranks}", text);
        Assert.Equal("3", DistributedTrainingTests.State(data.Weights(name), "OptimizerSteps"));
        return DistributedTrainingTests.Tensors(data.Weights(name), "train.");
    }
}
