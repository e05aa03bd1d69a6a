using System.Runtime.InteropServices;
using Forge.Core.Config;
using Forge.Training.Supervision;

namespace Forge.Cli.Launch;

/// <summary>
/// Starts a data-parallel job for <c>nproc=N</c>: runs Open MPI's <c>mpirun</c> with N copies of this same command, which then
/// find their rank in the environment. Multi-node jobs name their machines in an Open MPI hostfile (hostfile=); under Slurm,
/// <c>srun</c> starts the ranks itself and no relaunch happens.
/// <para>Self-healing (<c>max_restarts=N</c>, torchrun's name): when the job fails because a rank died, was killed or threw, the
/// whole job is started again from the run's newest valid checkpoint (resume=), up to N times, with a line per restart naming
/// the rank, the cause and the step it resumes from. A usage error (exit code 2) would fail again and a deliberate stop
/// (SIGTERM, Ctrl-C: the ranks save and exit 0) is what the user asked for; neither is restarted. With a hostfile the machines
/// are probed before a restart; with <c>min_nproc=M</c> the job continues on the machines that answer as long as they hold at
/// least M ranks (resuming on another world size is exact).</para>
/// </summary>
public sealed class MpiLauncher
{
    readonly string mpirun;
    readonly ForgeConfig cfg;
    readonly TextWriter stdout, stderr;
    readonly bool asRoot = Environment.UserName == "root" || geteuid() == 0;
    HostFile? hosts;
    string? hostfilePath;
    /// <summary>The hostfile of the machines still reachable, written here after a machine was lost; deleted when the job ends.</summary>
    string? writtenHostfile;
    int nodes;
    string? runPath;
    CheckpointSaved? lastSave;
    readonly List<long?> pendingFailures = new();
    readonly List<long> stepsLost = new();

    MpiLauncher(string mpirun, ForgeConfig cfg, TextWriter stdout, TextWriter stderr)
    {
        (this.mpirun, this.cfg, this.stdout, this.stderr) = (mpirun, cfg, stdout, stderr);
        nodes = Math.Max(1, cfg.NNodes);
        hostfilePath = cfg.HostFile is { Length: > 0 } h ? h : null;
        hosts = hostfilePath is null ? null : HostFile.Load(hostfilePath);
    }

    int WorldSize => cfg.NProc * nodes;

    /// <summary>True when the command must run under mpirun: several ranks or machines, or a single process under max_restarts.</summary>
    public static bool Needed(ForgeConfig cfg) => cfg.NProc > 1 || cfg.NNodes > 1 || cfg.MaxRestarts > 0;

    public static int Relaunch(string[] originalArgs, ForgeConfig cfg, TextWriter stdout, TextWriter stderr)
    {
        var mpirun = FindOnPath("mpirun") ?? throw new InvalidOperationException(
            "nproc>1 needs Open MPI's mpirun, which is not installed. Install it with: apt-get install -y openmpi-bin " +
            "(or run ./forge with nproc=N, which installs it when running as root)");
        if (cfg.NNodes > 1 && string.IsNullOrEmpty(cfg.HostFile))
            throw new ConfigException(
                $"nnodes={cfg.NNodes}: Open MPI starts every rank from one machine, so list the machines in a hostfile and run once, on " +
                $"the first machine{(cfg.MasterAddr is { } m ? $" ({m})" : "")}: hostfile=hosts.txt with lines like 'node1 slots={cfg.NProc}'. " +
                "With Slurm use: srun --mpi=pmix -N <nodes> --ntasks-per-node=<nproc> ./forge train ...");
        if (cfg.NodeRank != 0)
        {
            stdout.WriteLine($"node_rank={cfg.NodeRank}: nothing to start here; with Open MPI the job is launched once from node_rank 0, which starts this machine's ranks over ssh.");
            return 0;
        }
        return new MpiLauncher(mpirun, cfg, stdout, stderr).Supervise(originalArgs);
    }

    int Supervise(string[] originalArgs)
    {
        using var signals = new LauncherSignals(stderr);
        IReadOnlyList<string> args = originalArgs;
        for (int restart = 0; ; restart++)
        {
            var mpiArgs = MpiArguments(args);
            stdout.WriteLine($"Launching {WorldSize} ranks: {mpirun} {string.Join(' ', mpiArgs)}");
            var attempt = MpiAttempt.Run(mpirun, mpiArgs, stdout, stderr, signals.Track);
            Account(attempt);
            if (attempt.ExitCode == 0) return Finish(0);
            string why = attempt.Failure.Describe(attempt.ExitCode);
            string? refusal = signals.StopReason is { } s ? $"stopped by {s}"
                : attempt.ExitCode == 2 ? "a usage error (exit code 2) would fail again"
                : cfg.MaxRestarts == 0 ? null
                : restart >= cfg.MaxRestarts ? $"max_restarts={cfg.MaxRestarts} reached"
                : ShrinkToReachableMachines();
            if (refusal is not null || cfg.MaxRestarts == 0)
            {
                stderr.WriteLine($"forge: the distributed job failed (mpirun exit code {attempt.ExitCode}): {why}" +
                                 (refusal is null ? "; the messages above name the rank (max_restarts=N restarts it from its last checkpoint)" : $"; not restarted: {refusal}"));
                return Finish(attempt.ExitCode);
            }
            args = RestartArguments(originalArgs);
            stdout.WriteLine($"forge: restart {restart + 1}/{cfg.MaxRestarts} after {why}: " + (lastSave is { } c
                ? $"resuming {runPath} on {WorldSize} ranks from {c.Describe()}, its last checkpoint on disk" + (attempt.StepsReached is { } r ? $"; {Math.Max(0, r - c.OptimizerSteps)} optimizer steps to redo" : "")
                : HasCheckpoint ? $"resuming {runPath} on {WorldSize} ranks from its newest checkpoint"
                : $"no checkpoint yet, starting {runPath ?? "the run"} again on {WorldSize} ranks"));
        }
    }

    /// <summary>Records the run folder, the newest checkpoint and, once a job starts training, how many steps each failure cost.</summary>
    void Account(MpiAttempt attempt)
    {
        runPath = attempt.RunPath ?? runPath;
        lastSave = attempt.LastSave ?? lastSave;
        if (attempt.StartedAt is { } start)
        {
            stepsLost.AddRange(pendingFailures.Select(reached => reached is { } r ? Math.Max(0, r - start) : 0));
            pendingFailures.Clear();
        }
        if (attempt.ExitCode != 0) pendingFailures.Add(attempt.StartedAt is null ? null : attempt.StepsReached);
    }

    int Finish(int exitCode)
    {
        if (writtenHostfile is not null) File.Delete(writtenHostfile);
        if (stepsLost.Count > 0)
            stdout.WriteLine($"forge: {stepsLost.Count} restart{(stepsLost.Count == 1 ? "" : "s")}; optimizer steps redone per failure: " +
                             $"{string.Join(", ", stepsLost)} (mean {stepsLost.Average():0.##})");
        return exitCode;
    }

    /// <summary>With a hostfile: the machines that still answer; null when the job may restart, else why not.</summary>
    string? ShrinkToReachableMachines()
    {
        if (hosts is null) return null;
        var reachable = hosts.Reachable(mpirun, asRoot, TimeSpan.FromSeconds(30));
        int usable = Math.Min(nodes, reachable.Count);
        if (usable == nodes && reachable.Count == hosts.Hosts.Count) return null;
        var gone = hosts.Hosts.Select(h => h.Host).Except(reachable).ToList();
        int minimum = cfg.MinNProc > 0 ? cfg.MinNProc : cfg.NProc * nodes;
        if (usable * cfg.NProc < minimum || usable == 0)
            return $"machine(s) {string.Join(", ", gone)} unreachable; {usable * cfg.NProc} ranks left, fewer than min_nproc={minimum}";
        stdout.WriteLine($"forge: machine(s) {string.Join(", ", gone)} unreachable; continuing on {string.Join(", ", reachable.Take(usable))} " +
                         $"({usable * cfg.NProc} ranks, min_nproc={minimum})");
        hosts = hosts.Only(reachable.Take(usable));
        hostfilePath = writtenHostfile = Path.Combine(Path.GetTempPath(), $"forge-hosts-{Environment.ProcessId}.txt");
        hosts.WriteTo(hostfilePath);
        nodes = usable;
        return null;
    }

    /// <summary>The original command with resume= pointing at the run (or, before its first checkpoint, the same run folder again).</summary>
    List<string> RestartArguments(string[] original)
    {
        string[] invocation = ["resume=", "name=", "project=", "exist_ok="];
        var args = original.Where(a => !invocation.Any(k => a.StartsWith(k, StringComparison.Ordinal))).ToList();
        if (runPath is null) return original.ToList();
        if (HasCheckpoint) args.Add($"resume={runPath}");
        else args.AddRange([$"project={Path.GetDirectoryName(runPath)}", $"name={Path.GetFileName(runPath)}", "exist_ok=true"]);
        return args;
    }

    /// <summary>
    /// A checkpoint was reported on disk, or (rank 0 on this machine, as usual) one is there though its report was lost with the
    /// process that wrote it.
    /// </summary>
    bool HasCheckpoint => lastSave is not null ||
        runPath is not null && (File.Exists(Path.Combine(runPath, "weights", "last.safetensors")) || File.Exists(Path.Combine(runPath, "weights", "last.prev.safetensors")));

    List<string> MpiArguments(IEnumerable<string> forgeArgs)
    {
        var args = new List<string> { "-np", WorldSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (asRoot) args.Add("--allow-run-as-root");
        if (hostfilePath is not null) args.AddRange(["--hostfile", hostfilePath, "--map-by", $"ppr:{cfg.NProc}:node"]);
        else if (WorldSize > Environment.ProcessorCount) args.Add("--oversubscribe");
        // Ranks set their own thread counts (cores / ranks per machine); binding would pin them all to one core each.
        args.AddRange(["--bind-to", "none", "-x", "TERM=dumb", "-x", "DOTNET_CLI_TELEMETRY_OPTOUT=1"]);
        if (cfg.MaxRestarts > 0) args.AddRange(["-x", $"{SupervisorProtocol.EnvironmentVariable}=1"]);
        args.Add(Environment.ProcessPath ?? "dotnet");
        var entry = Environment.GetCommandLineArgs()[0];
        if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) args.Add(Path.GetFullPath(entry));
        args.AddRange(InlineConfigFile(forgeArgs.ToList()));
        return args;
    }

    /// <summary>
    /// cfg=file.yaml becomes its settings as key=value pairs right after the mode (so the command line still overrides them):
    /// ranks on other machines do not need the file.
    /// </summary>
    public static List<string> InlineConfigFile(List<string> forgeArgs)
    {
        int at = forgeArgs.FindIndex(a => a.StartsWith("cfg=", StringComparison.Ordinal));
        if (at < 0) return forgeArgs;
        var pairs = FlatYaml.ReadScalars(forgeArgs[at][4..]).Select(kv => $"{kv.Key}={kv.Value ?? "null"}");
        var inlined = forgeArgs.Where((_, i) => i != at).ToList();
        inlined.InsertRange(Math.Min(1, inlined.Count), pairs);
        return inlined;
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    [DllImport("libc")] static extern uint geteuid();
}
