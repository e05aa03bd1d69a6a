using Forge.Distributed;

namespace Forge.Bench.Harness;

/// <summary>
/// Runs work on rank 0 alone while the other ranks sleep (instead of spinning in an MPI barrier, which would take a core from
/// the measurement on a small machine). Rank 0 signals the end with a flag file named after its process id, then all meet.
/// </summary>
public static class MainRankOnly
{
    public static void Run(ICommunicator comm, Action work)
    {
        if (comm.WorldSize == 1) { work(); return; }
        Span<long> id = [comm.IsMain ? Environment.ProcessId : 0];
        comm.Broadcast(id, 0);
        string flag = Path.Combine(Path.GetTempPath(), $"forge-bench-rank0-{id[0]}.done");
        comm.Barrier();
        if (comm.IsMain)
        {
            try { work(); }
            finally { File.WriteAllText(flag, "done"); }
        }
        else
        {
            while (!File.Exists(flag)) Thread.Sleep(20);
        }
        comm.Barrier();
        if (comm.IsMain) File.Delete(flag);
    }
}
