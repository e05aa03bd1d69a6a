using System.Globalization;
using Forge.Reporting.TensorBoard;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// Habits of Ultralytics' trainer that users rely on, through the real command: TensorBoard scalars, durations that read well,
/// no run folder left by a command that fails before training, warnings before a run that cannot learn, time=, auto batch,
/// freeze= lists, device= forms, val=false and plots=false.
/// </summary>
public class RunHabitsTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 12, valImages: 4);

    public void Dispose() => data.Dispose();

    (int Code, string Output) Train(string name, params string[] extra) => ForgeProcess.Run(data.Root, data.TrainArgs(name, extra));

    [Fact]
    public void TensorBoardScalarsEqualTheResultsTable()
    {
        var (code, output) = Train("tb", "epochs=2", "close_mosaic=0");
        Assert.True(code == 0, output);
        Assert.Matches(@"\n2 epochs completed in \d+\.\d s\.", output);
        string file = Assert.Single(Directory.GetFiles(data.RunDir("tb"), "events.out.tfevents.*"));
        var (version, scalars) = TensorBoardReader.Read(file);
        Assert.Equal("brain.Event:2", version);
        var csv = File.ReadAllLines(Path.Combine(data.RunDir("tb"), "results.csv"));
        var header = csv[0].Split(',').Select(h => h.Trim()).ToArray();
        foreach (var tag in new[] { "train/box_loss", "train/cls_loss", "train/dfl_loss", "metrics/mAP50(B)", "metrics/mAP50-95(B)", "val/box_loss", "lr/pg0", "lr/pg1", "lr/pg2" })
        {
            var series = scalars.Where(s => s.Tag == tag).ToList();
            Assert.Equal([1L, 2L], series.Select(s => s.Step));
            for (int epoch = 1; epoch <= 2; epoch++)
            {
                double inCsv = double.Parse(csv[epoch].Split(',')[Array.IndexOf(header, tag)].Trim(), CultureInfo.InvariantCulture);
                // results.csv keeps 5 significant digits (G5): half a unit in the fifth digit at most.
                Assert.Equal(inCsv, series[epoch - 1].Value, Math.Abs(inCsv) * 5e-5 + 1e-12);
            }
        }
    }

    [Fact]
    public void TensorBoardFalseWritesNoEventFile()
    {
        var (code, output) = Train("notb", "epochs=1", "tensorboard=false", "close_mosaic=0");
        Assert.True(code == 0, output);
        Assert.Empty(Directory.GetFiles(data.RunDir("notb"), "events.out.tfevents.*"));
        Assert.Matches(@"\n1 epoch completed in \d+\.\d s\.", output);
    }

    [Fact]
    public void ACommandThatFailsBeforeTrainingLeavesNoRunFolder()
    {
        string project = Path.Combine(data.Root, "fails");
        foreach (var bad in new[] { "device=0", "device=0,1", "freeze=1000" })
        {
            var (code, output) = ForgeProcess.Run(data.Root, ["train", $"data={data.DataYaml}", "imgsz=64", "epochs=1", $"project={project}", bad]);
            Assert.True(code != 0, output);
            Assert.False(Directory.Exists(project), $"{bad} left {project} behind:\n{output}");
        }
        var (gpu, message) = ForgeProcess.Run(data.Root, ["train", $"data={data.DataYaml}", $"project={project}", "device=0,1"]);
        Assert.Contains("device=0,1 asks for CUDA GPU 0, 1, but CUDA is not available", message);
        var (ok, log) = ForgeProcess.Run(data.Root, data.TrainArgs("x", "epochs=1", $"project={project}", "name=train", "exist_ok=false", "close_mosaic=0"));
        Assert.True(ok == 0, log);
        Assert.True(Directory.Exists(Path.Combine(project, "train")), log);   // not train2
    }

    [Fact]
    public void AnOptimizerThatWillNeverStepIsReportedBeforeTraining()
    {
        // 12 images, batch 4: 3 iterations an epoch; nbs=64 accumulates 16 batches; no warm-up ramp to step earlier.
        var (code, output) = Train("never", "epochs=1", "nbs=64", "warmup_epochs=0", "close_mosaic=0");
        Assert.True(code == 0, output);
        int warning = output.IndexOf("WARNING: the optimizer will never step: 3 iterations", StringComparison.Ordinal);
        Assert.True(warning >= 0, output);
        Assert.Contains("accumulated over 16 batches to reach nbs=64", output);
        Assert.Contains("nbs=4", output);
        Assert.True(warning < output.IndexOf("Starting training", StringComparison.Ordinal), output);
        var (fine, quiet) = Train("steps", "epochs=1", "nbs=4", "warmup_epochs=0", "close_mosaic=0");
        Assert.True(fine == 0, quiet);
        Assert.DoesNotContain("never step", quiet);
    }

    [Fact]
    public void TimeLimitEndsTheRunCleanlyWithItsWeightsSaved()
    {
        // 0.000001 hours = 3.6 ms: the first step already passes it; the epoch ends there, is validated and saved.
        var (code, output) = Train("timed", "epochs=50", "time=0.000001", "close_mosaic=0");
        Assert.True(code == 0, output);
        Assert.Contains("time=1E-06 hours reached after", output);
        Assert.Matches(@"ending the run with epoch 1\.", output);
        Assert.Matches(@"\n1 epoch completed in \d+\.\d s\.", output);
        Assert.True(File.Exists(data.Weights("timed")), output);
        Assert.True(File.Exists(data.Weights("timed", "best.safetensors")), output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(data.RunDir("timed"), "results.csv")).Length);
    }

    [Fact]
    public void AutoBatchOnCpuSaysWhatItChoseAndRecordsIt()
    {
        var (code, output) = Train("auto", "epochs=1", "batch=-1", "nbs=64", "val=false", "close_mosaic=0");
        Assert.True(code == 0, output);
        var line = output.Split('\n').Single(l => l.StartsWith("AutoBatch: CPU RAM", StringComparison.Ordinal));
        var chosen = System.Text.RegularExpressions.Regex.Match(line, @"batch=(\d+)( fills 60%|, the largest auto batch)");
        Assert.True(chosen.Success, line);
        Assert.Contains($"batch: {chosen.Groups[1].Value}", File.ReadAllLines(Path.Combine(data.RunDir("auto"), "args.yaml")));
        Assert.Matches(@"needs \d+\.\d MiB \(measured at batch 1, 2, 4, 8: [\d.]+ MiB, [\d.]+ MiB, [\d.]+ MiB, [\d.]+ MiB\)", line);
    }

    [Fact]
    public void FreezeTakesAListOfLayers()
    {
        var (code, output) = Train("frozen", "epochs=1", "freeze=[0,2]", "close_mosaic=0");
        Assert.True(code == 0, output);
        Assert.Matches(@"freeze=\[0,2\]: \d+ of \d+ parameter tensors frozen \(model\.0, model\.2\)", output);
        var (bad, message) = Train("frozen-bad", "epochs=1", "freeze=[0,99]");
        Assert.NotEqual(0, bad);
        Assert.Contains("freeze=[0,99]", message);
        Assert.Contains("no layer model.99", message);
    }

    [Fact]
    public void ValFalseValidatesOnlyTheLastEpochAndPlotsFalseDrawsNothing()
    {
        var (code, output) = Train("noval", "epochs=2", "val=false", "plots=false", "close_mosaic=0");
        Assert.True(code == 0, output);
        var rows = File.ReadAllLines(Path.Combine(data.RunDir("noval"), "results.csv"));
        var header = rows[0].Split(',').Select(h => h.Trim()).ToList();
        int map = header.IndexOf("metrics/mAP50(B)");
        Assert.True(rows[1].Split(',')[map].Trim() is "" or "nan" or "NaN", rows[1]);
        Assert.True(double.TryParse(rows[2].Split(',')[map], CultureInfo.InvariantCulture, out _), rows[2]);
        Assert.Empty(Directory.GetFiles(data.RunDir("noval"), "*.png").Concat(Directory.GetFiles(data.RunDir("noval"), "*.jpg")));
    }
}
