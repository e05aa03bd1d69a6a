using System.Diagnostics;
using System.Runtime.InteropServices;
using Forge.Core.Config;

namespace Forge.Cli;

/// <summary>
/// Starts a data-parallel job for <c>nproc=N</c>: runs Open MPI's <c>mpirun</c> with N copies of this same command, which
/// then find their rank in the environment. Multi-node jobs name their machines in an Open MPI hostfile (hostfile=); under
/// Slurm, <c>srun</c> starts the ranks itself and no relaunch happens.
/// </summary>
public static class MpiLauncher
{
    public static int Relaunch(string[] originalArgs, ForgeConfig cfg, TextWriter stdout, TextWriter stderr)
    {
        var mpirun = FindOnPath("mpirun") ?? throw new InvalidOperationException(
            "nproc>1 needs Open MPI's mpirun, which is not installed. Install it with: apt-get install -y openmpi-bin " +
            "(or run ./forge with nproc=N, which installs it when running as root)");
        int nodes = Math.Max(1, cfg.GetInt("nnodes"));
        string? hostfile = cfg.GetString("hostfile");
        if (nodes > 1 && string.IsNullOrEmpty(hostfile))
            throw new ConfigException(
                $"nnodes={nodes}: Open MPI starts every rank from one machine, so list the machines in a hostfile and run once, on " +
                $"the first machine{(cfg.GetString("master_addr") is { } m ? $" ({m})" : "")}: hostfile=hosts.txt with lines like 'node1 slots={cfg.NProc}'. " +
                "With Slurm use: srun --mpi=pmix -N <nodes> --ntasks-per-node=<nproc> ./forge train ...");
        if (cfg.GetInt("node_rank") != 0)
        {
            stdout.WriteLine($"node_rank={cfg.GetInt("node_rank")}: nothing to start here; with Open MPI the job is launched once from node_rank 0, which starts this machine's ranks over ssh.");
            return 0;
        }

        int total = cfg.NProc * nodes;
        var args = new List<string> { "-np", total.ToString() };
        if (Environment.UserName == "root" || geteuid() == 0) args.Add("--allow-run-as-root");
        if (!string.IsNullOrEmpty(hostfile)) { args.AddRange(["--hostfile", hostfile!, "--map-by", $"ppr:{cfg.NProc}:node"]); }
        else if (total > Environment.ProcessorCount) args.Add("--oversubscribe");
        // Ranks set their own thread counts (cores / ranks per machine); binding would pin them all to one core each.
        args.AddRange(["--bind-to", "none", "-x", "TERM=dumb", "-x", "DOTNET_CLI_TELEMETRY_OPTOUT=1"]);
        args.Add(Environment.ProcessPath ?? "dotnet");
        var entry = Environment.GetCommandLineArgs()[0];
        if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) args.Add(Path.GetFullPath(entry));
        args.AddRange(originalArgs);

        stdout.WriteLine($"Launching {total} ranks: {mpirun} {string.Join(' ', args)}");
        var psi = new ProcessStartInfo(mpirun) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Ctrl-C reaches mpirun (same process group), which stops every rank; this process waits for it instead of dying first.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = true);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {mpirun}");
        process.WaitForExit();
        if (process.ExitCode != 0) stderr.WriteLine($"forge: the distributed job failed (mpirun exit code {process.ExitCode}); the messages above name the rank");
        return process.ExitCode;
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    [DllImport("libc")] static extern uint geteuid();
}
