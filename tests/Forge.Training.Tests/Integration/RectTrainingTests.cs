using Forge.Data.Imaging;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Integration;

/// <summary>rect=true training, as Ultralytics' rect training: fixed aspect-ratio order (shuffle off, warned), mosaic off, rectangular batches.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class RectTrainingTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The shapes set with its train images stretched to 96x48 (even) and 48x96 (odd): normalised labels stay right.</summary>
    string NonSquareShapes()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"), trainImages: 8, valImages: 4);
        var train = Directory.GetFiles(temp.Combine("shapes", "images", "train"), "*.jpg").Order().ToArray();
        for (int i = 0; i < train.Length; i++)
        {
            using var image = ImageFile.Read(train[i]);
            using var stretched = image.Resize(i % 2 == 0 ? new Size(96, 48) : new Size(48, 96), 0, 0, InterpolationFlags.Area);
            ImageFile.Write(stretched, train[i]);
        }
        return data;
    }

    [Fact]
    public void A_short_rect_run_trains_on_rectangles_in_a_fixed_order_and_says_shuffle_and_mosaic_are_off()
    {
        var cfg = TinyRun.Config(NonSquareShapes(), temp.Combine("runs"), "rect")
            .With("rect", true).With("epochs", 2).With("plots", false).With("close_mosaic", 1);
        var (result, log) = TinyRun.Train(cfg);
        output.WriteLine(log);

        Assert.Equal(2, result.EpochsCompleted);
        Assert.True(File.Exists(result.LastCheckpoint), log);
        Assert.Contains("WARNING: rect=true is incompatible with shuffling the training images", log);
        Assert.Contains("rect=true: mosaic is off (mosaic=1 is not used) and so is mixup", log);
        // 4 landscape images (h/w 0.5) then 4 portrait ones (2.0), batch 4 at imgsz 64: ceil(0.5 * 64 / 32) * 32 = 32.
        Assert.Contains("rect=true: 2 training batches of 2 shapes (height x width): 32x64, 64x32", log);
        Assert.DoesNotContain("Closing dataloader mosaic", log);
        // The progress line's Size column is the batch's width (Ultralytics prints batch["img"].shape[-1]): 64, then 32.
        var sizes = log.Split('\r', '\n').Where(l => l.TrimStart().StartsWith("1/2", StringComparison.Ordinal))
                       .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5]).Distinct().ToList();
        Assert.Contains("32", sizes);
        Assert.Contains("64", sizes);
        Assert.Contains("rect: true", File.ReadAllText(Path.Combine(result.RunDirectory, "args.yaml")));
    }
}
