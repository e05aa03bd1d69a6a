namespace Forge.EndToEnd.Tests;

/// <summary>A damaged 'last' checkpoint is detected and the previous good one is used; with none left, a clear error.</summary>
public class CorruptionTests : IDisposable
{
    readonly TinyDataset data = new();

    public void Dispose() => data.Dispose();

    /// <summary>A run stopped mid-epoch after step 5, with last.safetensors (step 5) and last.prev.safetensors (an earlier save).</summary>
    void StoppedRun(string name)
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs(name, "save_period_steps=2"), new Dictionary<string, string> { ["FORGE_STOP_AT_STEP"] = "5" });
        Assert.True(code == 0, output);
        Assert.Contains("Resume with", output);
        Assert.True(File.Exists(data.Weights(name)) && File.Exists(data.Weights(name, "last.prev.safetensors")));
    }

    public static IEnumerable<object[]> Damages() =>
    [
        ["truncated"], ["flipped byte"], ["garbage"], ["empty"],
    ];

    static void Damage(string path, string how)
    {
        var bytes = File.ReadAllBytes(path);
        switch (how)
        {
            case "truncated": File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]); break;
            case "flipped byte": bytes[bytes.Length - 1000] ^= 0x40; File.WriteAllBytes(path, bytes); break;
            case "garbage": new Random(1).NextBytes(bytes); File.WriteAllBytes(path, bytes); break;
            case "empty": File.WriteAllBytes(path, []); break;
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void DamagedLastIsReportedAndThePreviousGoodCheckpointIsUsed(string how)
    {
        string name = "run-" + how.Replace(' ', '-');
        StoppedRun(name);
        Damage(data.Weights(name), how);

        var (code, output) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir(name)}"]);

        Assert.True(code == 0, output);
        Assert.Contains($"checkpoint {data.Weights(name)} is damaged", output);
        Assert.Contains($"resuming from {data.Weights(name, "last.prev.safetensors")}", output);
        Assert.Contains("epochs completed", output);
    }

    [Fact]
    public void NoGoodCheckpointIsAClearError()
    {
        StoppedRun("all-bad");
        Damage(data.Weights("all-bad"), "truncated");
        Damage(data.Weights("all-bad", "last.prev.safetensors"), "flipped byte");

        var (code, output) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir("all-bad")}"]);

        Assert.Equal(1, code);
        Assert.Contains("no good checkpoint to resume from", output);
        Assert.Contains("checksum mismatch", output);
        Assert.Contains("truncated", output);
    }
}
