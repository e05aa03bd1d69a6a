using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// max_restarts= under real mpirun jobs: a killed rank restarts the whole job from its newest checkpoint and the result is the
/// uninterrupted run's, bit for bit; usage errors and deliberate stops are not restarted.
/// </summary>
public class SelfHealingTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    readonly TinyDataset data = new(trainImages: 16, valImages: 4);

    public void Dispose() => data.Dispose();

    // 4 global batches of 4 per epoch, a save after every optimizer step: a kill mid-epoch resumes mid-epoch.
    static readonly string[] Common = ["nproc=2", "epochs=2", "save_period_steps=1"];

    [Fact]
    public void KillingOneRankMidEpochUnderMaxRestartsFinishesByItselfWithTheUninterruptedWeights()
    {
        var clock = Stopwatch.StartNew();
        var (c0, o0) = ForgeProcess.Run(data.Root, data.TrainArgs("reference", Common), timeoutSeconds: 600);
        Assert.True(c0 == 0, o0);
        var referenceTime = clock.Elapsed;

        clock.Restart();
        using var job = ForgeProcess.Start(data.Root, data.TrainArgs("healed", [.. Common, "max_restarts=1"]));
        // The first mid-epoch save is on disk: training is under way in epoch 1. Kill rank 1 there.
        while (!File.Exists(data.Weights("healed")) && clock.Elapsed < TimeSpan.FromSeconds(300) && !job.HasExited) Thread.Sleep(50);
        int victim = RankProcess.Find(1, data.Root);
        Assert.True(victim != 0 && !job.HasExited, $"rank 1 not found while training:\n{job.Output}");
        kill(victim, 9);
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(600)), $"the job did not finish by itself:\n{job.Output}");
        log.WriteLine($"uninterrupted {referenceTime.TotalSeconds:F1} s; killed and restarted {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var line in job.Output.Split('\n').Where(l => l.StartsWith("forge: ", StringComparison.Ordinal))) log.WriteLine(line);
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.True(Regex.IsMatch(job.Output, @"forge: restart 1/1 after rank 1 (on \S+ )?killed by signal 9 \(Killed\): resuming \S+ on 2 ranks from epoch 1, step \d"), job.Output);
        Assert.Contains("epochs completed", job.Output);
        Assert.True(Regex.IsMatch(job.Output, @"forge: 1 restart; optimizer steps redone per failure: \d+"), job.Output);
        var diff = CheckpointComparison.DifferingTensors(data.Weights("reference"), data.Weights("healed"), "model.", "train.", "optim.");
        Assert.True(diff.Count == 0, $"{diff.Count} tensors differ from the uninterrupted run's: {string.Join(", ", diff.Take(5))}\n{job.Output}");
    }

    [Fact]
    public void AUsageErrorOnTheRanksIsNotRestarted()
    {
        // lr0=7 passes the launcher's parsing and fails every rank's validation (lr0 <= 1): exit code 2, no restart.
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("usage", "nproc=2", "max_restarts=3", "lr0=7"), timeoutSeconds: 300);
        Assert.True(code == 2, $"exit {code}:\n{output}");
        Assert.Contains("not restarted: a usage error (exit code 2) would fail again", output);
        Assert.DoesNotContain("forge: restart", output);
    }

    [Fact]
    public void SigtermToTheLauncherSavesOnEveryRankExitsZeroAndIsNotRestarted()
    {
        using var job = ForgeProcess.Start(data.Root, data.TrainArgs("stopped", "nproc=2", "epochs=50", "max_restarts=3"));
        var clock = Stopwatch.StartNew();
        while (!job.Output.Contains("Epoch", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(300) && !job.HasExited) Thread.Sleep(100);
        Thread.Sleep(1500);
        Assert.False(job.HasExited, job.Output);
        kill(job.Id, 15);
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(120)), $"no exit after SIGTERM:\n{job.Output}");
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Contains("Stopped by the launcher's stop request", job.Output);
        Assert.Contains($"Resume with: ./forge train resume={data.RunDir("stopped")}", job.Output);
        Assert.DoesNotContain("forge: restart", job.Output);
        Assert.True(File.Exists(data.Weights("stopped")));
    }

    [DllImport("libc")] static extern int kill(int pid, int sig);
}

/// <summary>Finds the process Open MPI started as a given rank of a forge job on this machine.</summary>
public static class RankProcess
{
    /// <param name="token">Text only this job's command line holds (its work folder): other jobs on the machine, such as another
    /// test or benchmark running at the same time, have ranks with the same number.</param>
    public static int Find(int rank, string token)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (env.Contains($"OMPI_COMM_WORLD_RANK={rank}") && cmdline.Contains("forge.dll") && cmdline.Contains(token)) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return 0;
    }
}
