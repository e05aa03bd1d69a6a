using System.Text.RegularExpressions;

namespace Forge.EndToEnd.Tests;

/// <summary>Ultralytics' dataset settings through the command: fraction=, classes= (train and val) and single_cls.</summary>
public class DatasetSettingsTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 12, valImages: 4);

    public void Dispose() => data.Dispose();

    (int Code, string Output) Train(string name, params string[] extra) =>
        ForgeProcess.Run(data.Root, data.TrainArgs(name, ["epochs=1", "close_mosaic=0", .. extra]));

    static int Labels(string dataYaml, string split) =>
        Directory.GetFiles(Path.Combine(Path.GetDirectoryName(dataYaml)!, "labels", split), "*.txt").Sum(f => File.ReadAllLines(f).Count(l => l.Trim().Length > 0));

    [Fact]
    public void FractionTrainsOnTheFirstImages()
    {
        var (code, output) = Train("fraction", "fraction=0.5");
        Assert.True(code == 0, output);
        Assert.Contains("fraction=0.5: training on the first 6 of 12 images", output);
        Assert.Contains("global batch 4", output);
        Assert.Contains("fraction: 0.5", File.ReadAllLines(Path.Combine(data.RunDir("fraction"), "args.yaml")));
    }

    [Fact]
    public void ClassesKeepsOnlyThoseLabelsInTrainingAndValidation()
    {
        var (code, output) = Train("classes", "classes=[0,2]");
        Assert.True(code == 0, output);
        var train = Regex.Match(output, @"classes=\[0,2\]: train keeps (\d+) of (\d+) labels");
        Assert.True(train.Success, output);
        Assert.Equal(Labels(data.DataYaml, "train"), int.Parse(train.Groups[2].Value));
        Assert.True(int.Parse(train.Groups[1].Value) < int.Parse(train.Groups[2].Value), output);
        Assert.Matches(@"classes=\[0,2\]: val keeps \d+ of \d+ labels", output);
        var (bad, message) = Train("classes-bad", "classes=[9]");
        Assert.NotEqual(0, bad);
        Assert.Contains("classes=[9]: the dataset has classes 0..5, not 9", message);
    }

    [Fact]
    public void SingleClsTrainsOneClassAndValKeepsItFromTheWeights()
    {
        var (code, output) = Train("single", "single_cls=true");
        Assert.True(code == 0, output);
        Assert.Matches(@"\s+item\s+4\s+\d+", output);   // the final per-class table has the one class 'item'
        var (valCode, val) = ForgeProcess.Run(data.Root,
            ["val", $"model={data.Weights("single", "best.safetensors")}", "plots=false", $"project={Path.Combine(data.Root, "val")}"]);
        Assert.True(valCode == 0, val);
        Assert.Matches(@"^\s+all\s+4\s+" + Labels(data.DataYaml, "val") + @"\s", val.Split('\n').First(l => l.TrimStart().StartsWith("all ", StringComparison.Ordinal)));
    }

    [Fact]
    public void AValSplitWithoutLabelsSaysMetricsCannotBeComputedInsteadOfZeros()
    {
        var (code, output) = Train("trained", "epochs=1");
        Assert.True(code == 0, output);
        string valLabels = Path.Combine(Path.GetDirectoryName(data.DataYaml)!, "labels", "val");
        Directory.Move(valLabels, valLabels + "-hidden");
        try
        {
            var (val, message) = ForgeProcess.Run(data.Root, ["val", $"model={data.Weights("trained", "best.safetensors")}", $"data={data.DataYaml}", "plots=false"]);
            Assert.Equal(1, val);
            Assert.Contains("val: no label file was found for any of its 4 readable images", message);
            Assert.Contains("Metrics cannot be computed without labels.", message);
            Assert.DoesNotMatch(@"^\s+all\s", message);
            var (train, log) = Train("unlabelled-val", "epochs=1");
            Assert.True(train == 0, log);
            Assert.Contains("WARNING: the val split has no labels (4 images, all backgrounds): metrics cannot be computed", log);
            Assert.DoesNotContain("mAP50-95)", log);   // no metrics table of zeros
        }
        finally { Directory.Move(valLabels + "-hidden", valLabels); }
    }

    [Fact]
    public void CacheDiskWritesNpyFilesBesideTheImagesAndTrainsFromThem()
    {
        var (code, output) = Train("disk", "cache=disk");
        Assert.True(code == 0, output);
        string images = Path.Combine(Path.GetDirectoryName(data.DataYaml)!, "images");
        foreach (var split in new[] { "train", "val" })
        {
            var pictures = Directory.GetFiles(Path.Combine(images, split)).Where(f => !f.EndsWith(".npy", StringComparison.Ordinal)).ToList();
            Assert.All(pictures, p => Assert.True(File.Exists(Path.ChangeExtension(p, ".npy")), $"{p} has no .npy cache"));
        }
        // Trained from the cache: the same run again reads the .npy files and gives the same weights.
        var (again, log) = Train("disk2", "cache=disk");
        Assert.True(again == 0, log);
        static string AllRow(string log) => log.Split('\n').Last(l => Regex.IsMatch(l, @"^\s+all\s"));
        Assert.Equal(AllRow(output), AllRow(log));   // same pixels from the cache: the same training and the same metrics
        foreach (var f in Directory.GetFiles(images, "*.npy", SearchOption.AllDirectories)) File.Delete(f);
    }

    [Fact]
    public void CacheRamSaysHowMuchMemoryTheImagesTake()
    {
        var (code, output) = Train("ram", "cache=ram");
        Assert.True(code == 0, output);
        Assert.Matches(@"\ntrain: caching images \(\d+\.\d{3} GB RAM\): \d+ images, long side \d+ px", output);
        Assert.Matches(@"\nval: caching images \(\d+\.\d{3} GB RAM\): \d+ images, long side \d+ px", output);
    }
}
