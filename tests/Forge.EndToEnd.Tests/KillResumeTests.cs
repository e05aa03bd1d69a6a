using System.Diagnostics;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// Kill -9 training runs at random moments, resume each time, and every run's final weights equal an uninterrupted run's,
/// bit for bit. When a run completes before enough kills happened, a fresh run starts, so the number of kills does not
/// depend on how fast the machine is. FORGE_KILL_TEST_ROUNDS raises the number of kills (benchmark mode); CI uses 20.
/// </summary>
public class KillResumeTests : IDisposable
{
    readonly TinyDataset data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void RandomSigkillsThenResumeGiveBitwiseIdenticalFinalWeights()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("FORGE_KILL_TEST_ROUNDS"), out var r) ? r : 20;
        // save_period_steps=2 saves mid-epoch too, so kills land between, during and after saves of every kind.
        var clock = Stopwatch.StartNew();
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("reference", "save_period_steps=2"));
        Assert.True(code == 0, output);
        int runMs = (int)clock.ElapsedMilliseconds;

        var rng = new Random(12345);
        int kills = 0, attempts = 0, runs = 0;
        var log = new List<string>();
        while (kills < rounds)
        {
            string name = $"killed{runs}";
            bool finished = false;
            while (!finished)
            {
                if (++attempts > rounds * 4 + 40) Assert.Fail($"too many attempts: {string.Join("; ", log)}");
                bool fresh = !File.Exists(data.Weights(name)) && !File.Exists(data.Weights(name, "last.prev.safetensors"));
                var args = fresh
                    ? data.TrainArgs(name, "save_period_steps=2")
                    : ["train", $"resume={data.RunDir(name)}", $"workers={attempts % 3}"];   // workers does not alter the run
                using var p = ForgeProcess.Start(data.Root, args);
                if (kills < rounds)
                {
                    // Anywhere from start-up (loading, resuming) to the end of a whole run, saves included.
                    int delayMs = rng.Next(200, Math.Max(runMs, 1500));
                    if (!p.WaitForExit(TimeSpan.FromMilliseconds(delayMs)))
                    {
                        p.Kill();
                        kills++;
                        log.Add($"{name}: killed after {delayMs} ms");
                        continue;
                    }
                }
                Assert.True(p.WaitForExit(TimeSpan.FromSeconds(300)), $"{name} hung:\n{p.Output}");
                Assert.True(p.ExitCode == 0, $"{name} failed (exit {p.ExitCode}) after {string.Join("; ", log)}:\n{p.Output}");
                finished = p.Output.Contains("epochs completed", StringComparison.Ordinal) || p.Output.Contains("nothing to resume", StringComparison.Ordinal);
                log.Add($"{name}: exited 0{(finished ? ", finished" : "")}");
            }

            var diff = CheckpointComparison.DifferingTensors(data.Weights("reference"), data.Weights(name), "model.", "train.", "optim.");
            Assert.True(diff.Count == 0, $"{name}: {diff.Count} tensors differ ({string.Join(", ", diff.Take(5))}); {string.Join("; ", log)}");
            Assert.Equal(CheckpointComparison.Metadata(data.Weights("reference"))["epoch"], CheckpointComparison.Metadata(data.Weights(name))["epoch"]);
            runs++;
        }
        Assert.True(kills >= rounds);
    }
}
