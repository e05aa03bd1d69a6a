using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Forge.EndToEnd.Tests;

/// <summary>SIGTERM (pre-emption, Slurm time limit) and SIGINT: finish the step, save, exit 0 and say how to resume.</summary>
public class SignalTests : IDisposable
{
    readonly TinyDataset data = new();

    public void Dispose() => data.Dispose();

    [Theory]
    [InlineData(15, "SIGTERM")]
    [InlineData(2, "SIGINT")]
    public void SignalSavesAndExitsZeroThenResumeFinishes(int signal, string name)
    {
        string run = "sig" + signal;
        using var p = ForgeProcess.Start(data.Root, data.TrainArgs(run, "epochs=50"));
        var clock = Stopwatch.StartNew();
        while (!p.Output.Contains("Epoch", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(120) && !p.HasExited) Thread.Sleep(100);
        Thread.Sleep(1500);
        Assert.False(p.HasExited, p.Output);
        kill(p.Id, signal);
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), $"no exit after {name}:\n{p.Output}");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode} after {name}:\n{p.Output}");
        Assert.Contains($"Stopped by {name}", p.Output);
        Assert.Contains($"Resume with: ./forge train resume={data.RunDir(run)}", p.Output);
        Assert.True(File.Exists(data.Weights(run)));

        // The resumed run picks up from the saved step; stop it the same way once it is training again.
        using var resumed = ForgeProcess.Start(data.Root, ["train", $"resume={data.RunDir(run)}"]);
        clock.Restart();
        while (!resumed.Output.Contains("Epoch", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(120) && !resumed.HasExited) Thread.Sleep(100);
        Assert.Contains($"Resuming {data.RunDir(run)} from {data.Weights(run)}", resumed.Output);
        kill(resumed.Id, 15);
        Assert.True(resumed.WaitForExit(TimeSpan.FromSeconds(60)), resumed.Output);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("Stopped by SIGTERM", resumed.Output);
    }

    [DllImport("libc")] static extern int kill(int pid, int sig);
}
