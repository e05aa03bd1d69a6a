using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Synthetic;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Self-healing under fire: a 2-rank training job runs under max_restarts=N while a random rank is SIGKILLed at random moments
/// (from the rank's process start, so start-up, resume, training and saves are all hit); the launcher alone must restart it
/// each time and the job must finish by itself with the final checkpoint of an uninterrupted run, bit for bit. Reports the
/// optimizer steps each failure cost (from the launcher's own summary line) and the wall time.
/// </summary>
public sealed partial class KillRestartBenchmark : IBenchmark
{
    public string Name => "kill-restart";
    public string Summary => "SIGKILL a random rank of a max_restarts job N times; every job finishes by itself, bitwise weights, steps lost per failure";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("rounds", "100", "kills to make"),
        new("ranks", "2", "ranks of each job (the jobs' nproc=)"),
        new("min_ms", "0", "earliest kill after the ranks of a (re)started job appear (ms)"),
        new("max_ms", "auto", "latest kill (ms); auto: the uninterrupted run's duration"),
        new("seed", "12345", "seed of the delays and of the choice of rank"),
        new("epochs", "3", "epochs of each run"),
        new("save_period_steps", "2", "the jobs' save_period_steps= (at most this many optimizer steps lost per failure, plus a save in flight)"),
        new("keep", "false", "keep the work folder (runs, logs) for inspection", ["false", "true"]),
    ];

    sealed class Tally
    {
        public int Kills, Jobs, Matched, FinishedAlone, Restarts;
        public List<double> StepsLost { get; } = new();
        public List<double> JobSeconds { get; } = new();
    }

    public int Run(BenchContext ctx)
    {
        if (ctx.Comm.WorldSize > 1) throw new BenchUsageException("kill-restart starts its own jobs: run it as a single process (ranks= sets the jobs' rank count)");
        var a = ctx.Args;
        int rounds = a.Int("rounds"), minMs = a.Int("min_ms"), nproc = a.Int("ranks");
        int? maxMs = a.String("max_ms") == "auto" ? null : a.Int("max_ms");
        if (rounds < 0 || minMs < 0 || maxMs <= minMs || nproc < 1) throw new BenchUsageException("rounds >= 0, ranks >= 1 and 0 <= min_ms < max_ms");
        string cli = Path.Combine(AppContext.BaseDirectory, "forge.dll");
        if (!File.Exists(cli)) throw new InvalidOperationException($"the forge CLI is not built next to forge-bench: {cli}");
        string root = Path.Combine(Path.GetTempPath(), "forge-bench", $"kill-restart-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            var job = new Job(cli, root, nproc, a.Int("epochs"), a.Int("save_period_steps"), rounds);
            return Measure(ctx.Out, job, rounds, minMs, maxMs, a.Int("seed"));
        }
        finally
        {
            if (!a.Bool("keep")) try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    int Measure(TextWriter o, Job job, int rounds, int minMs, int? maxMsSetting, int seed)
    {
        var clock = Stopwatch.StartNew();
        using (var reference = job.Start("reference", restarts: false))
            if (!reference.WaitForExit(TimeSpan.FromMinutes(20)) || reference.ExitCode != 0)
            {
                o.WriteLine($"the uninterrupted reference run failed:\n{reference.Output}");
                return 1;
            }
        double referenceSeconds = clock.Elapsed.TotalSeconds;
        int maxMs = maxMsSetting ?? Math.Max(minMs + 100, (int)(referenceSeconds * 1000));
        o.WriteLine($"method: yolov8n, 16 images of 64 px, batch 4 (nbs 4), {job.Epochs} epochs, {job.NProc} ranks x 1 thread, save_period_steps={job.SavePeriodSteps},");
        o.WriteLine($"        max_restarts={rounds}. Once the ranks of a (re)started job exist, one of them (uniform) is SIGKILLed {minMs}-{maxMs} ms later");
        o.WriteLine($"        (uniform, seed {seed}); the launcher must restart the job from its newest checkpoint by itself. A job that completes is compared");
        o.WriteLine("        with the uninterrupted run (last.safetensors: every model., train. and optim. tensor, byte for byte) and a fresh job starts");
        o.WriteLine($"        until {rounds} kills were made. Steps lost per failure: the launcher's count (steps reached - steps the next job resumed at).");
        o.WriteLine();
        o.WriteLine($"uninterrupted run (process start to exit): {referenceSeconds:F1} s");
        var rng = new Random(seed);
        var t = new Tally();
        var loop = Stopwatch.StartNew();
        var problems = new List<string>();
        do
        {
            string name = $"job{++t.Jobs}";
            var jobClock = Stopwatch.StartNew();
            int killsBefore = t.Kills;
            var (exitCode, output) = RunUnderFire(job, name, rounds, minMs, maxMs, rng, t);
            t.JobSeconds.Add(jobClock.Elapsed.TotalSeconds);
            bool alone = exitCode == 0 && output.Contains("epochs completed", StringComparison.Ordinal);
            if (alone) t.FinishedAlone++;
            else problems.Add($"{name}: exit {exitCode}:\n{string.Join('\n', output.Split('\n').TakeLast(30))}");
            var lost = LostLine().Match(output);
            if (lost.Success)
            {
                t.Restarts += int.Parse(lost.Groups[1].Value, CultureInfo.InvariantCulture);
                t.StepsLost.AddRange(lost.Groups[2].Value.Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)));
            }
            var (n, diff) = alone ? CheckpointDiff.Compare(job.Weights("reference"), job.Weights(name), "model.", "train.", "optim.") : (0, []);
            bool match = alone && n > 0 && diff.Count == 0;
            if (match) t.Matched++;
            else if (alone) problems.Add($"{name}: {diff.Count} tensors differ ({string.Join(", ", diff.Take(5))})");
            o.WriteLine($"  job {t.Jobs}: {t.Kills - killsBefore} kills, {(lost.Success ? lost.Groups[1].Value : "0")} restarts, {jobClock.Elapsed.TotalSeconds:F1} s; " +
                        $"{(alone ? "finished by itself" : "FAILED")}; {(match ? "weights identical" : "WEIGHTS DIFFER OR MISSING")}; {t.Kills} kills so far");
            o.Flush();
        }
        while (t.Kills < rounds && problems.Count == 0);
        return Report(o, t, loop.Elapsed.TotalSeconds, referenceSeconds, problems);
    }

    /// <summary>Runs one job to its end, killing a random rank of each (re)start until the total reaches <paramref name="rounds"/>.</summary>
    static (int ExitCode, string Output) RunUnderFire(Job job, string name, int rounds, int minMs, int maxMs, Random rng, Tally t)
    {
        using var p = job.Start(name, restarts: true);
        var deadline = Stopwatch.StartNew();
        var previous = new HashSet<int>();
        while (!p.WaitForExit(TimeSpan.Zero) && deadline.Elapsed < TimeSpan.FromMinutes(60))
        {
            if (t.Kills >= rounds) { p.WaitForExit(TimeSpan.FromMinutes(30)); break; }
            var ranks = WaitForRanks(name, job.NProc, previous, p);
            if (ranks is null) continue;
            int delay = rng.Next(minMs, maxMs);
            int victim = rng.Next(job.NProc);
            if (p.WaitForExit(TimeSpan.FromMilliseconds(delay))) break;
            if (kill(ranks[victim], 9) == 0) t.Kills++;
            previous = ranks.ToHashSet();
        }
        if (!p.WaitForExit(TimeSpan.Zero)) { p.Kill(); return (-1, p.Output + "\n(killed: did not finish within the time limit)"); }
        return (p.ExitCode, p.Output);
    }

    /// <summary>The pids of ranks 0..n-1 of the job, once all of a new start are up (none of <paramref name="old"/>); null if the job ended.</summary>
    static int[]? WaitForRanks(string job, int n, HashSet<int> old, ChildProcess p)
    {
        while (!p.WaitForExit(TimeSpan.FromMilliseconds(10)))
        {
            var found = FindRanks(job, n);
            if (found.All(pid => pid != 0 && !old.Contains(pid))) return found;
        }
        return null;
    }

    static int[] FindRanks(string job, int n)
    {
        var pids = new int[n];
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (!env.Contains($"FORGE_BENCH_JOB={Environment.ProcessId}-{job}")) continue;
                var rank = env.FirstOrDefault(e => e.StartsWith("OMPI_COMM_WORLD_RANK=", StringComparison.Ordinal));
                if (rank is not null && int.TryParse(rank["OMPI_COMM_WORLD_RANK=".Length..], out int r) && r < n) pids[r] = pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    static int Report(TextWriter o, Tally t, double loopSeconds, double referenceSeconds, List<string> problems)
    {
        o.WriteLine();
        var table = new TextTable("figure", "value");
        table.Add("kills (SIGKILL of a random rank)", t.Kills);
        table.Add("restarts by the launcher", t.Restarts);
        table.Add("jobs (each left to finish by itself)", t.Jobs);
        table.Add("jobs that finished by themselves", $"{t.FinishedAlone} of {t.Jobs}");
        table.Add("jobs with final weights identical to the uninterrupted run", $"{t.Matched} of {t.Jobs}");
        if (t.StepsLost.Count > 0)
        {
            table.Add("optimizer steps lost per failure, mean", $"{t.StepsLost.Average():F2}");
            table.Add("optimizer steps lost per failure, median (p10-p90)", Harness.Summary.Of(t.StepsLost).Format("F1"));
            table.Add("optimizer steps lost per failure, max", $"{t.StepsLost.Max():F0}");
        }
        table.Add("seconds per job", Harness.Summary.Of(t.JobSeconds).Format("F1"));
        table.Add("uninterrupted run, s", $"{referenceSeconds:F1}");
        table.Add("kill/restart loop, total s", $"{loopSeconds:F1}");
        table.Add("every job finished by itself, bitwise equal", problems.Count == 0 && t.Matched == t.Jobs ? "yes" : "NO");
        table.Write(o);
        foreach (var p in problems) o.WriteLine(p);
        return problems.Count == 0 && t.Matched == t.Jobs ? 0 : 1;
    }

    /// <summary>How the CLI is started for the reference and the jobs under fire.</summary>
    sealed class Job(string cli, string root, int nproc, int epochs, int savePeriodSteps, int maxRestarts)
    {
        readonly string data = Generate(root);
        public int NProc => nproc;
        public int Epochs => epochs;
        public int SavePeriodSteps => savePeriodSteps;
        public string Weights(string name) => Path.Combine(root, "runs", name, "weights", "last.safetensors");

        static string Generate(string root)
        {
            string folder = Path.Combine(root, "data");
            ShapesDataset.Generate(folder, new ShapesDatasetOptions { TrainImages = 16, ValImages = 4, ImageSize = 64, Seed = 7 });
            return Path.Combine(folder, "data.yaml");
        }

        public ChildProcess Start(string name, bool restarts)
        {
            List<string> args = [cli, "train", $"data={data}", "model=yolov8n", "imgsz=64", "batch=4", "nbs=4", $"epochs={epochs}", "workers=1",
                "threads=1", "plots=false", "seed=3", $"project={Path.Combine(root, "runs")}", $"name={name}", "exist_ok=true", "close_mosaic=1",
                $"save_period_steps={savePeriodSteps}", $"nproc={nproc}", $"max_restarts={(restarts ? maxRestarts : 0)}"];
            return new ChildProcess("dotnet", args, root, new Dictionary<string, string?>
            {
                // Unique to this benchmark process: ranks of other jobs on the machine are never killed.
                ["TERM"] = "dumb", ["FORGE_BENCH_JOB"] = $"{Environment.ProcessId}-{name}", ["FORGE_STOP_AT_STEP"] = null, ["FORGE_SAMPLE_TRACE"] = null,
            });
        }
    }

    [GeneratedRegex(@"forge: (\d+) restarts?; optimizer steps redone per failure: ([\d, ]+) \(mean")]
    private static partial Regex LostLine();

    [DllImport("libc")] static extern int kill(int pid, int sig);
}
