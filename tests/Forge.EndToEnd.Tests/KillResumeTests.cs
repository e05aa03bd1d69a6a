namespace Forge.EndToEnd.Tests;

/// <summary>
/// Kill -9 a training run at random moments, resume each time, and the final weights equal an uninterrupted run's, bit for bit.
/// FORGE_KILL_TEST_ROUNDS raises the number of kills (benchmark mode); CI uses 20.
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
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("reference", "save_period_steps=2"));
        Assert.True(code == 0, output);

        var rng = new Random(12345);
        int kills = 0, attempts = 0, resumedRuns = 0;
        bool finished = false;
        var log = new List<string>();
        while (!finished && attempts < rounds + 40)
        {
            attempts++;
            bool first = !File.Exists(data.Weights("killed")) && !File.Exists(data.Weights("killed", "last.prev.safetensors"));
            var args = first
                ? data.TrainArgs("killed", "save_period_steps=2")
                : ["train", $"resume={data.RunDir("killed")}", $"workers={attempts % 3}"];   // workers does not alter the run
            using var p = ForgeProcess.Start(data.Root, args);
            if (kills < rounds)
            {
                // Startup takes ~1.5 s; kill anywhere from loading to mid-save.
                int delayMs = rng.Next(300, 4500);
                if (!p.WaitForExit(TimeSpan.FromMilliseconds(delayMs)))
                {
                    p.Kill();
                    kills++;
                    log.Add($"attempt {attempts}: killed after {delayMs} ms");
                    continue;
                }
            }
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(300)), $"attempt {attempts} hung:\n{p.Output}");
            Assert.True(p.ExitCode == 0, $"attempt {attempts} failed (exit {p.ExitCode}) after {string.Join("; ", log)}:\n{p.Output}");
            if (!first) resumedRuns++;
            finished = p.Output.Contains("epochs completed", StringComparison.Ordinal) || p.Output.Contains("nothing to resume", StringComparison.Ordinal);
            log.Add($"attempt {attempts}: exited 0{(finished ? ", finished" : "")}");
        }
        Assert.True(finished, $"the killed run never finished: {string.Join("; ", log)}");
        Assert.True(kills >= Math.Min(rounds, 5), $"only {kills} kills happened: {string.Join("; ", log)}");

        var diff = CheckpointComparison.DifferingTensors(data.Weights("reference"), data.Weights("killed"), "model.", "train.", "optim.");
        Assert.True(diff.Count == 0, $"{diff.Count} tensors differ after {kills} kills ({string.Join(", ", diff.Take(5))}); {string.Join("; ", log)}");
        var a = CheckpointComparison.Metadata(data.Weights("reference"));
        var b = CheckpointComparison.Metadata(data.Weights("killed"));
        Assert.Equal(a["epoch"], b["epoch"]);
    }
}
