using Forge.Core.Config;
using Forge.Data.Imaging;
using Forge.Models;
using Forge.Reporting;
using Forge.Synthetic;
using Forge.Training.Checkpoints;
using Forge.Training.Reporting;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class TrainerEndToEndTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Two_epochs_on_shapes_write_a_complete_run_folder()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        var cfg = TinyRun.Config(data, temp.Combine("runs"), "e2e");
        var (result, log) = TinyRun.Train(cfg);
        output.WriteLine(log);

        string run = temp.Combine("runs", "e2e");
        Assert.Equal(run, result.RunDirectory);
        Assert.Equal(2, result.EpochsCompleted);
        Assert.False(result.StoppedEarly);
        Assert.Equal(Path.Combine(run, "weights", "last.safetensors"), result.LastCheckpoint);
        Assert.Equal(Path.Combine(run, "weights", "best.safetensors"), result.BestCheckpoint);
        Assert.Contains("Starting training for 2 epochs", log);
        // optimizer=auto picks AdamW with beta1 0.9 for a run this short, and says so with the values it uses.
        Assert.Contains("optimizer=auto: chose AdamW(lr=0.001, momentum=0.9)", log);
        Assert.Contains("AdamW(lr=0.001, momentum=0.9) with parameter groups 57 weight(decay=0.0), 63 weight(decay=0.0005), 63 bias(decay=0.0)", log);
        Assert.Contains($"Results saved to {run}", log);

        // args.yaml holds exactly the settings of the run.
        var args = new ForgeConfig();
        args.ApplyYaml(Path.Combine(run, "args.yaml"));
        Assert.Empty(args.Differences(cfg));

        // results.csv: Ultralytics' columns then Forge's, one row per epoch, finite training losses and sensible extras.
        var csv = ResultsTable.Read(Path.Combine(run, "results.csv"));
        Assert.Equal(["epoch", "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/precision(B)", "metrics/recall(B)",
                      "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "val/cls_loss", "val/dfl_loss", "lr/pg0", "lr/pg1", "lr/pg2",
                      "time/epoch_s", "mem/rss_mb"], csv.Columns);
        Assert.Equal(2, csv.Rows.Count);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(r + 1, csv.Rows[r]["epoch"]);
            foreach (var col in new[] { "train/box_loss", "train/cls_loss", "train/dfl_loss", "val/box_loss", "val/cls_loss", "val/dfl_loss" })
            {
                double v = csv.Rows[r][col];
                Assert.True(double.IsFinite(v) && v > 0, $"epoch {r + 1} {col} = {v}");
            }
            foreach (var col in new[] { "metrics/precision(B)", "metrics/recall(B)", "metrics/mAP50(B)", "metrics/mAP50-95(B)" })
                Assert.InRange(csv.Rows[r][col], 0, 1);
            Assert.True(csv.Rows[r]["time/epoch_s"] > 0);
            Assert.True(csv.Rows[r]["mem/rss_mb"] > 50, "resident memory of a process with libtorch loaded is well above 50 MB");
        }

        // Both checkpoints rebuild the trained architecture with the dataset's class names.
        foreach (var path in new[] { result.LastCheckpoint, result.BestCheckpoint })
        {
            var (model, names) = ModelFactory.FromCheckpoint(path);
            using (model)
            {
                Assert.Equal(ShapesDataset.ClassNames, names);
                Assert.Equal(ModelScale.N, model.Scale);
                Assert.Equal(6, model.NumClasses);
            }
            var trainArgs = CheckpointInfo.ReadTrainArgs(path);
            Assert.NotNull(trainArgs);
            Assert.Empty(trainArgs.Differences(cfg));
        }

        // Plots decode as images of a plausible size.
        foreach (var plot in new[] { "results.png", "train_batch0.jpg", "labels.jpg", "PR_curve.png", "confusion_matrix.png" })
        {
            using var img = ImageFile.Read(Path.Combine(run, plot));
            Assert.True(img.Width >= 64 && img.Height >= 64, $"{plot} is {img.Width}x{img.Height}");
        }
        // 8 images at batch 4 are two batches per epoch: plots of the first two, none of a third.
        Assert.True(File.Exists(Path.Combine(run, "train_batch1.jpg")));
        Assert.False(File.Exists(Path.Combine(run, "train_batch2.jpg")));

        // The final validation of best.safetensors covers the whole val split and reports metrics in [0, 1].
        var final = result.FinalValidation;
        Assert.NotNull(final);
        var m = final.Metrics;
        Assert.Equal(4, m.ImageCount);
        Assert.True(m.InstanceCount >= 4, $"{m.InstanceCount} instances in 4 images of 1-3 objects");
        foreach (var v in new[] { m.Precision, m.Recall, m.Map50, m.Map50To95, m.Fitness })
            Assert.InRange(v, 0, 1);
        Assert.True(m.Map50 >= m.Map50To95);
        Assert.Contains($"Validating {result.BestCheckpoint}", log);
    }
}
