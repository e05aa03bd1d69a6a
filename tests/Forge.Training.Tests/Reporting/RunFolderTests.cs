using Forge.Training.Reporting;

namespace Forge.Training.Tests.Reporting;

public sealed class RunFolderTests : IDisposable
{
    readonly string project = Directory.CreateTempSubdirectory("forge-runs-tests-").FullName;

    public void Dispose() => Directory.Delete(project, recursive: true);

    [Fact]
    public void NumbersNewRunsLikeUltralytics()
    {
        var a = RunFolder.Create(project, "train", existOk: false);
        var b = RunFolder.Create(project, "train", existOk: false);
        var c = RunFolder.Create(project, "train", existOk: false);
        Assert.Equal(Path.Combine(project, "train"), a.Path);
        Assert.Equal(Path.Combine(project, "train2"), b.Path);
        Assert.Equal(Path.Combine(project, "train3"), c.Path);
        Assert.All([a, b, c], f => Assert.True(Directory.Exists(f.Path)));
    }

    [Fact]
    public void ExistOkReusesTheFolder()
    {
        var a = RunFolder.Create(project, "exp", existOk: false);
        File.WriteAllText(a.File("keep.txt"), "x");
        var again = RunFolder.Create(project, "exp", existOk: true);
        Assert.Equal(a.Path, again.Path);
        Assert.True(File.Exists(again.File("keep.txt")));
        Assert.False(Directory.Exists(Path.Combine(project, "exp2")));
    }

    [Fact]
    public void GapsAreFilledFromTwoUpwards()
    {
        Directory.CreateDirectory(Path.Combine(project, "val"));
        Directory.CreateDirectory(Path.Combine(project, "val3"));
        Assert.Equal(Path.Combine(project, "val2"), RunFolder.Create(project, "val", false).Path);
        Assert.Equal(Path.Combine(project, "val4"), RunFolder.Create(project, "val", false).Path);
    }

    [Fact]
    public void WithoutCreateNothingIsMadeAndPathsAreWellKnown()
    {
        var f = RunFolder.Create(Path.Combine(project, "nested"), "predict", existOk: false, create: false);
        Assert.False(Directory.Exists(f.Path));
        Assert.True(Path.IsPathFullyQualified(f.Path));
        Assert.Equal(Path.Combine(f.Path, "weights", "last.safetensors"), f.LastCheckpoint);
        Assert.Equal(Path.Combine(f.Path, "weights", "best.safetensors"), f.BestCheckpoint);
        Assert.Equal(Path.Combine(f.Path, "weights", "last.prev.safetensors"), f.PreviousCheckpoint);
        Assert.Equal(Path.Combine(f.Path, "weights", "epoch3.safetensors"), f.EpochCheckpoint(3));
        Assert.Equal(Path.Combine(f.Path, "args.yaml"), f.ArgsYaml);
        Assert.Equal(Path.Combine(f.Path, "results.csv"), f.ResultsCsv);
    }

    [Fact]
    public void OfFindsTheRunFromItsFolderItsWeightsFolderOrACheckpoint()
    {
        var run = RunFolder.Create(project, "exp", existOk: false);
        Directory.CreateDirectory(run.WeightsDir);
        File.WriteAllText(run.LastCheckpoint, "x");
        File.WriteAllText(run.EpochCheckpoint(2), "x");
        File.WriteAllText(run.EpochCheckpoint(10), "x");
        Assert.Equal(run.Path, RunFolder.Of(run.Path).Path);
        Assert.Equal(run.Path, RunFolder.Of(run.WeightsDir).Path);
        Assert.Equal(run.Path, RunFolder.Of(run.LastCheckpoint).Path);
        Assert.True(run.HasLastCheckpoint);
        Assert.Equal([10, 2], run.EpochCheckpoints().Select(e => e.Epoch));
    }
}
