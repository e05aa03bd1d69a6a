using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Synthetic;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// The end-to-end kill test as a benchmark: a small training run with mid-epoch saves is SIGKILLed at random moments and
/// resumed each time until it finishes; its final checkpoint must equal an uninterrupted run's bit for bit. The loop of
/// tests/Forge.EndToEnd.Tests/KillResumeTests.cs, repeated over fresh runs until the requested number of kills is reached (one
/// run survives only a handful of kills before it completes), with the counts printed; via=test runs that test itself with
/// FORGE_KILL_TEST_ROUNDS instead.
/// </summary>
public sealed class KillResumeBenchmark : IBenchmark
{
    public string Name => "kill-resume";
    public string Summary => "SIGKILL a training run N times at random moments, resume each time; kills, resumes, time, bitwise weight match";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("rounds", "100", "kills to make"),
        new("min_ms", "300", "earliest kill after a start (ms)"),
        new("max_ms", "auto", "latest kill after a start (ms); auto: the uninterrupted run's duration, so kills land anywhere in a run's life"),
        new("seed", "12345", "seed of the kill delays"),
        new("epochs", "3", "epochs of each run (the test's 3; more gives more kills per run)"),
        new("via", "bench", "bench: this loop, with counts; test: dotnet test tests/Forge.EndToEnd.Tests --filter KillResume with FORGE_KILL_TEST_ROUNDS", ["bench", "test"]),
        new("keep", "false", "keep the work folder (runs, logs) for inspection", ["false", "true"]),
    ];

    public int Run(BenchContext ctx)
    {
        if (ctx.Comm.WorldSize > 1) throw new BenchUsageException("kill-resume starts its own processes: run it as a single process (nproc=1)");
        var a = ctx.Args;
        int rounds = a.Int("rounds"), minMs = a.Int("min_ms");
        int? maxMs = a.String("max_ms") == "auto" ? null : a.Int("max_ms");
        if (rounds < 0 || minMs < 0 || maxMs <= minMs) throw new BenchUsageException("rounds >= 0 and 0 <= min_ms < max_ms");
        return a.String("via").ToLowerInvariant() switch
        {
            "bench" => RunLoop(ctx.Out, rounds, minMs, maxMs, a.Int("seed"), a.Int("epochs"), a.Bool("keep")),
            "test" => RunTest(ctx.Out, rounds),
            var v => throw new BenchUsageException($"via={v}: use bench or test"),
        };
    }

    /// <summary>Counts over all cycles.</summary>
    sealed class Tally
    {
        public int Kills, Attempts, FreshStarts, ResumeStarts, ResumedToExit, DamagedSkipped, Cycles, Matched;
        public List<double> AttemptSeconds { get; } = new();
    }

    static int RunLoop(TextWriter o, int rounds, int minMs, int? maxMsSetting, int seed, int epochs, bool keep)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "forge.dll");
        if (!File.Exists(cli)) throw new InvalidOperationException($"the forge CLI is not built next to forge-bench: {cli} (build bench/Forge.Bench, which references src/Forge.Cli)");
        string root = Path.Combine(Path.GetTempPath(), "forge-bench", $"kill-resume-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            string data = Path.Combine(root, "data");
            ShapesDataset.Generate(data, new ShapesDatasetOptions { TrainImages = 16, ValImages = 4, ImageSize = 64, Seed = 7 });
            var env = new Dictionary<string, string?>
            {
                ["TERM"] = "dumb", ["FORGE_DATASETS"] = Path.Combine(root, "datasets"), ["FORGE_STOP_AT_STEP"] = null, ["FORGE_SAMPLE_TRACE"] = null,
            };
            var run = new KilledRun(cli, root, data, epochs, env);

            var clock = Stopwatch.StartNew();
            using (var reference = run.Start("reference", resume: false, workers: 1))
            {
                if (!reference.WaitForExit(TimeSpan.FromMinutes(10)) || reference.ExitCode != 0)
                {
                    o.WriteLine($"the uninterrupted reference run failed:\n{reference.Output}");
                    return 1;
                }
            }
            double referenceSeconds = clock.Elapsed.TotalSeconds;
            int maxMs = maxMsSetting ?? Math.Max(minMs + 100, (int)(referenceSeconds * 1000));
            o.WriteLine($"method: the run of tests/Forge.EndToEnd.Tests/KillResumeTests.cs: yolov8n, 16 images of 64 px, batch 4, {epochs} epochs, a save every");
            o.WriteLine($"        2 optimizer steps and at each epoch end, 1 thread. Each attempt is SIGKILLed {minMs}-{maxMs} ms after it starts (uniform, seed {seed});");
            o.WriteLine("        an attempt starts fresh while no checkpoint exists, else resumes. A cycle ends when an attempt finishes the run; its final");
            o.WriteLine("        last.safetensors must equal the uninterrupted run's in every model., train. and optim. tensor, byte for byte. A run finishes");
            o.WriteLine($"        after a handful of kills, so cycles repeat (a fresh run each) until {rounds} kills were made; the last cycle is left to finish.");
            o.WriteLine();

            o.WriteLine($"uninterrupted run (process start to exit): {referenceSeconds:F1} s");

            var rng = new Random(seed);
            var tally = new Tally();
            var loop = Stopwatch.StartNew();
            int compared = 0;
            var differing = new List<string>();
            do
            {
                tally.Cycles++;
                string name = $"killed{tally.Cycles}";
                var cycleClock = Stopwatch.StartNew();
                int killsBefore = tally.Kills, attemptsBefore = tally.Attempts;
                if (!RunCycle(o, run, name, rounds, minMs, maxMs, rng, tally)) return 1;
                var (n, diff) = CheckpointDiff.Compare(run.Weights("reference"), run.Weights(name), "model.", "train.", "optim.");
                bool sameEpoch = CheckpointDiff.Metadata(run.Weights("reference"), "epoch") == CheckpointDiff.Metadata(run.Weights(name), "epoch");
                bool match = n > 0 && diff.Count == 0 && sameEpoch;
                if (match) tally.Matched++;
                compared = n;
                differing.AddRange(diff.Select(d => $"{name}:{d}"));
                o.WriteLine($"  cycle {tally.Cycles}: {tally.Kills - killsBefore} kills in {tally.Attempts - attemptsBefore} attempts, {cycleClock.Elapsed.TotalSeconds:F1} s; " +
                            $"{(match ? "weights identical" : $"WEIGHTS DIFFER ({diff.Count} tensors{(sameEpoch ? "" : ", other epoch")})")}; {tally.Kills} kills so far");
                if (!keep) Directory.Delete(run.RunDir(name), recursive: true);
            }
            while (tally.Kills < rounds);
            double loopSeconds = loop.Elapsed.TotalSeconds;

            bool allMatch = tally.Matched == tally.Cycles;
            o.WriteLine();
            var table = new TextTable("figure", "value");
            table.Add("kills (SIGKILL)", tally.Kills);
            table.Add("attempts", tally.Attempts);
            table.Add("cycles (killed runs taken to the end)", tally.Cycles);
            table.Add("fresh starts (no checkpoint yet)", tally.FreshStarts);
            table.Add("resumes started", tally.ResumeStarts);
            table.Add("resumed attempts that exited normally", tally.ResumedToExit);
            table.Add("damaged checkpoints reported and skipped", tally.DamagedSkipped);
            table.Add("seconds per attempt", Harness.Summary.Of(tally.AttemptSeconds).Format("F2"));
            table.Add("kill/resume loop, total s", $"{loopSeconds:F1}");
            table.Add("uninterrupted run, s", $"{referenceSeconds:F1}");
            table.Add("tensors compared per cycle", compared);
            table.Add("cycles with identical final weights", $"{tally.Matched} of {tally.Cycles}");
            table.Add("weights match bit for bit", allMatch ? "yes" : "NO");
            table.Write(o);
            if (differing.Count > 0) o.WriteLine($"  differing: {string.Join(", ", differing.Take(10))}");
            if (keep) o.WriteLine($"  work folder kept: {root}");
            return allMatch ? 0 : 1;
        }
        finally
        {
            if (!keep) try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Kills and resumes one run until an attempt finishes it (kills stop once the total reaches <paramref name="rounds"/>).</summary>
    static bool RunCycle(TextWriter o, KilledRun run, string name, int rounds, int minMs, int maxMs, Random rng, Tally t)
    {
        for (int attempt = 1; attempt <= 200; attempt++)
        {
            t.Attempts++;
            bool first = !File.Exists(run.Weights(name)) && !File.Exists(run.Weights(name, "last.prev.safetensors"));
            if (first) t.FreshStarts++; else t.ResumeStarts++;
            var started = Stopwatch.StartNew();
            // workers does not change the run, so resuming with another value must still give identical weights.
            using var p = run.Start(name, resume: !first, workers: t.Attempts % 3);
            if (t.Kills < rounds)
            {
                int delay = rng.Next(minMs, maxMs);
                if (!p.WaitForExit(TimeSpan.FromMilliseconds(delay)))
                {
                    p.Kill();
                    t.Kills++;
                    t.DamagedSkipped += Occurrences(p.Output, "is damaged and was skipped");
                    t.AttemptSeconds.Add(started.Elapsed.TotalSeconds);
                    continue;
                }
            }
            if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                o.WriteLine($"{name}, attempt {attempt} hung:\n{p.Output}");
                return false;
            }
            t.AttemptSeconds.Add(started.Elapsed.TotalSeconds);
            t.DamagedSkipped += Occurrences(p.Output, "is damaged and was skipped");
            if (p.ExitCode != 0)
            {
                o.WriteLine($"{name}, attempt {attempt} failed with exit code {p.ExitCode}:\n{p.Output}");
                return false;
            }
            if (!first) t.ResumedToExit++;
            if (p.Output.Contains("epochs completed", StringComparison.Ordinal) || p.Output.Contains("nothing to resume", StringComparison.Ordinal)) return true;
        }
        o.WriteLine($"{name} did not finish within 200 attempts");
        return false;
    }

    /// <summary>How the CLI is started for the reference and the killed runs.</summary>
    sealed class KilledRun(string cli, string root, string data, int epochs, IReadOnlyDictionary<string, string?> env)
    {
        public string RunDir(string name) => Path.Combine(root, "runs", name);
        public string Weights(string name, string file = "last.safetensors") => Path.Combine(RunDir(name), "weights", file);

        public ChildProcess Start(string name, bool resume, int workers)
        {
            List<string> args = resume
                ? [cli, "train", $"resume={RunDir(name)}", $"workers={workers}"]
                : [cli, "train", $"data={Path.Combine(data, "data.yaml")}", "model=yolov8n", "imgsz=64", "batch=4", "nbs=4", $"epochs={epochs}", $"workers={workers}",
                   "threads=1", "plots=false", "seed=3", $"project={Path.Combine(root, "runs")}", $"name={name}", "exist_ok=true", "close_mosaic=1", "save_period_steps=2"];
            return new ChildProcess("dotnet", args, root, env);
        }
    }

    /// <summary>Runs the xunit test itself with more rounds; it reports pass or fail only.</summary>
    static int RunTest(TextWriter o, int rounds)
    {
        string? repo = AppContext.BaseDirectory;
        while (repo is not null && !File.Exists(Path.Combine(repo, "Forge.sln"))) repo = Path.GetDirectoryName(repo.TrimEnd('/'));
        if (repo is null) throw new InvalidOperationException($"via=test needs the source tree: no Forge.sln above {AppContext.BaseDirectory}");
        string project = Path.Combine(repo, "tests", "Forge.EndToEnd.Tests");
        o.WriteLine($"running: FORGE_KILL_TEST_ROUNDS={rounds} dotnet test {project} -c Release --filter KillResume");
        o.WriteLine("         (the test prints only pass or fail; via=bench prints the counts)");
        o.Flush();
        var clock = Stopwatch.StartNew();
        using var p = new ChildProcess("dotnet", ["test", project, "-c", "Release", "--nologo", "--filter", "KillResume"], repo,
            new Dictionary<string, string?> { ["FORGE_KILL_TEST_ROUNDS"] = rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        p.WaitForExit(TimeSpan.FromHours(2));
        var lines = p.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.TakeLast(15)) o.WriteLine("  | " + line.TrimEnd());
        o.WriteLine($"dotnet test exit code {p.ExitCode} ({(p.ExitCode == 0 ? "passed: weights matched bit for bit" : "FAILED")}) in {clock.Elapsed.TotalSeconds:F0} s, build included");
        return p.ExitCode;
    }

    static int Occurrences(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
