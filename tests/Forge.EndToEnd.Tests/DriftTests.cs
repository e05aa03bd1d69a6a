namespace Forge.EndToEnd.Tests;

/// <summary>Resuming with settings that change the run is refused, naming them; harmless changes are accepted and listed.</summary>
public class DriftTests : IDisposable
{
    readonly TinyDataset data = new();

    public DriftTests()
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("drift"), new Dictionary<string, string> { ["FORGE_STOP_AT_STEP"] = "3" });
        Assert.True(code == 0, output);
    }

    public void Dispose() => data.Dispose();

    [Fact]
    public void DifferentImageSizeIsRefusedWithTheKeyNamed()
    {
        var (code, output) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir("drift")}", "imgsz=96"]);
        Assert.Equal(2, code);
        Assert.Contains("refused", output);
        Assert.Matches(@"imgsz\s+64\s+96", output);
        Assert.Contains("resume_force=true", output);
    }

    [Fact]
    public void DifferentWorkersIsAcceptedAndListed()
    {
        var (code, output) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir("drift")}", "workers=0"]);
        Assert.True(code == 0, output);
        Assert.Contains("do not alter the run", output);
        Assert.Matches(@"workers\s+1\s+0", output);
        Assert.Contains("epochs completed", output);
    }

    [Fact]
    public void ForcedDriftProceedsWithAWarning()
    {
        var (code, output) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir("drift")}", "lr0=0.02", "resume_force=true"]);
        Assert.True(code == 0, output);
        Assert.Contains("resume_force=true: continuing with changed settings", output);
        Assert.Matches(@"lr0\s+0\.01\s+0\.02", output);
    }
}
