using Forge.Core.Config;
using Forge.Distributed;
using Forge.Cli.Launch;
using Forge.Training;

namespace Forge.Cli.Commands;

public static class TrainCommand
{
    public static int Run(ForgeConfig cfg, string[] args, TextWriter stdout, TextWriter stderr)
    {
        var launch = LaunchEnvironment.Current();
        if (!launch.IsMpiLaunch && cfg.CudaDevices() is { Count: > 1 } gpus)
        {
            // Ultralytics' device=0,1: one data-parallel rank per GPU, started here (checked first: no job for GPUs that are not there).
            DeviceSelector.RequireCuda(cfg.Device, gpus);
            if (cfg.NProc == 1) cfg.With("nproc", gpus.Count);
            if (cfg.NProc != gpus.Count) throw new ConfigException($"device={cfg.Device} lists {gpus.Count} GPUs but nproc={cfg.NProc}; give one rank per GPU (leave nproc out)");
            stdout.WriteLine($"device={cfg.Device}: {gpus.Count} GPUs, one data-parallel rank each");
        }
        if (MpiLauncher.Needed(cfg) && !launch.IsMpiLaunch) return MpiLauncher.Relaunch(args, cfg, stdout, stderr);
        using var comm = Communicator.FromEnvironment(launch);
        using var stop = new StopSignal();
        var result = TrainAsRank(cfg, stdout, comm, stop);
        if (comm.IsMain && !result.Interrupted)
        {
            stdout.WriteLine($"Best weights: {result.BestCheckpoint}");
            stdout.WriteLine($"Last weights: {result.LastCheckpoint}");
        }
        return 0;
    }

    /// <summary>Trains as one rank (or the only process). On several ranks any error aborts the whole job, naming the rank.</summary>
    public static TrainResult TrainAsRank(ForgeConfig cfg, TextWriter stdout, ICommunicator comm, StopSignal stop)
    {
        try
        {
            // The end-to-end tests' hooks (FORGE_STOP_AT_STEP, FORGE_SAMPLE_TRACE) and FORGE_DDP_BACKEND become trainer options here.
            var options = new TrainerOptions { Log = stdout, Communicator = comm, Stop = stop }.WithEnvironmentHooks();
            return new Trainer(cfg, options).Train();
        }
        catch (Exception e) when (comm.WorldSize > 1)
        {
            // Other ranks may wait in a collective for this one: take the whole job down now rather than hang.
            // Exit code 2 for a usage error, as a single process: a self-healing launcher does not restart what would fail again.
            comm.Abort(e is ConfigException or ArgumentException ? 2 : 1, $"({Environment.MachineName}) {e.GetType().Name}: {e.Message}");
            throw;   // not reached
        }
    }
}
