using System.Text.RegularExpressions;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// What people ask of resume=: extending a finished run to more epochs, a finished run left untouched when there is nothing
/// to do, and a dataset that moved (same images and labels) accepted by its fingerprint.
/// </summary>
public class ResumeExtensionTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 8, valImages: 4);

    public void Dispose() => data.Dispose();

    (int Code, string Output) Train(params string[] args) => ForgeProcess.Run(data.Root, args);

    string TrainOneEpoch(string name)
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs(name, "epochs=1", "close_mosaic=0"));
        Assert.True(code == 0, output);
        return data.RunDir(name);
    }

    [Fact]
    public void AFinishedRunIsExtendedToMoreEpochsWithTheScheduleReplanned()
    {
        string run = TrainOneEpoch("extend");
        var (code, output) = Train("train", $"resume={run}", "epochs=3");
        Assert.True(code == 0, output);
        Assert.Contains("Extending the run from 1 to 3 epochs: the learning-rate schedule is re-planned for 3 epochs (linear to lrf=0.01 at epoch 3).", output);
        Assert.Contains("Resuming", output);
        Assert.Matches(@"2 epochs completed in \d+\.\d s \(3 of 3 in the run\)\.", output);
        Assert.Contains("Saved " + data.Weights("extend"), output);
        var rows = File.ReadAllLines(Path.Combine(run, "results.csv")).Skip(1).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("epochs: 3", File.ReadAllLines(Path.Combine(run, "args.yaml")));
        // The schedule for 3 epochs: lr/pg0 of epoch 2 and 3 follow (1 - e/3)(1 - lrf) + lrf of the initial lr, epoch 1 that of 1 epoch.
        var header = File.ReadLines(Path.Combine(run, "results.csv")).First().Split(',').Select(h => h.Trim()).ToList();
        int lr = header.IndexOf("lr/pg2");
        double[] lrs = rows.Select(r => double.Parse(r.Split(',')[lr], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(lrs[2] < lrs[1], $"the LR did not keep falling over the extended epochs: {string.Join(", ", lrs)}");
    }

    [Fact]
    public void ARunSavedWithPendingGradientsIsExtended()
    {
        // 8 images, batch 4, nbs 64 and no warm-up: the optimizer never stepped, so the checkpoint holds accumulated gradients
        // that the resumed run must restore (this once failed with "element 0 of tensors does not require grad").
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("pending", "epochs=1", "close_mosaic=0", "nbs=64", "warmup_epochs=0"));
        Assert.True(code == 0, output);
        Assert.Contains("the optimizer will never step", output);
        var (again, log) = Train("train", $"resume={data.RunDir("pending")}", "epochs=2");
        Assert.True(again == 0, log);
        Assert.Contains("Extending the run from 1 to 2 epochs", log);
        Assert.Matches(@"1 epoch completed in \d+\.\d s \(2 of 2 in the run\)\.", log);
    }

    [Fact]
    public void ResumingAFinishedRunChangesNothingAndSaysHowToExtend()
    {
        string run = TrainOneEpoch("done");
        string args = File.ReadAllText(Path.Combine(run, "args.yaml"));
        var lastWrite = File.GetLastWriteTimeUtc(data.Weights("done"));
        var (code, output) = Train("train", $"resume={run}");
        Assert.True(code == 0, output);
        Assert.Contains("already finished its 1 epoch; nothing to resume", output);
        Assert.Contains("epochs=N", output);
        Assert.DoesNotContain("Saved", output);
        Assert.DoesNotContain("Resuming " , output);
        Assert.Equal(args, File.ReadAllText(Path.Combine(run, "args.yaml")));
        Assert.Equal(lastWrite, File.GetLastWriteTimeUtc(data.Weights("done")));
    }

    [Fact]
    public void AMovedDatasetWithTheSameFingerprintIsAcceptedAndSaid()
    {
        string copy = CopyDataset("data-copy");
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("moved", "epochs=1", "close_mosaic=0", $"data={copy}/data.yaml"));
        Assert.True(code == 0, output);
        string moved = Path.Combine(data.Root, "data-moved");
        Directory.Move(Path.GetDirectoryName(copy + "/")!, moved);
        RewritePath(moved);

        var (missing, error) = Train("train", $"resume={data.RunDir("moved")}", "epochs=2");
        Assert.NotEqual(0, missing);
        Assert.Contains($"data={copy}/data.yaml (from the run's saved settings in", error);
        Assert.Contains("data=NEW/data.yaml", error);

        var (ok, resumed) = Train("train", $"resume={data.RunDir("moved")}", "epochs=2", $"data={moved}/data.yaml");
        Assert.True(ok == 0, resumed);
        Assert.Contains($"data={moved}/data.yaml: the same images and labels as the run's data={copy}/data.yaml", resumed);
        Assert.Contains("1 epoch completed in", resumed);
    }

    [Fact]
    public void ADifferentDatasetIsStillRefused()
    {
        string run = TrainOneEpoch("other");
        using var other = new TinyDataset(trainImages: 6, valImages: 2);
        var (code, output) = Train("train", $"resume={run}", "epochs=2", $"data={other.DataYaml}");
        Assert.NotEqual(0, code);
        Assert.Contains("is not the run's dataset", output);
        Assert.Contains("resume_force=true", output);
    }

    [Fact]
    public void TheDriftTableKeepsLongValuesApart()
    {
        string run = TrainOneEpoch("table");
        string longModel = Path.Combine(data.Root, "some", "long", "folder", "weights", "best.safetensors");
        var (code, output) = Train("train", $"resume={run}", $"model={longModel}", "imgsz=96");
        Assert.Equal(2, code);
        var line = output.Split('\n').Single(l => l.TrimStart().StartsWith("model ", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"^\s+model\s+yolov8n\s{2,}" + Regex.Escape(longModel) + @"\s*$"), line);
        Assert.Matches(@"imgsz\s+64\s+96", output);
    }

    string CopyDataset(string name)
    {
        string from = Path.GetDirectoryName(data.DataYaml)!, to = Path.Combine(data.Root, name);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        RewritePath(to);
        return to;
    }

    // data.yaml names its own folder (path:); a moved dataset's yaml is edited to its new place, as a user would.
    static void RewritePath(string folder)
    {
        string yaml = Path.Combine(folder, "data.yaml");
        File.WriteAllLines(yaml, File.ReadAllLines(yaml).Select(l => l.StartsWith("path:", StringComparison.Ordinal) ? $"path: {folder}" : l));
    }
}
