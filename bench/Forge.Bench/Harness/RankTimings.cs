using Forge.Distributed;

namespace Forge.Bench.Harness;

/// <summary>Per-call timings of a collective phase, turned into the slowest rank's figure for each call.</summary>
public static class RankTimings
{
    /// <summary>Element-wise maximum over ranks: a synchronous step is as slow as its slowest rank. Every rank must call it.</summary>
    public static double[] SlowestRank(ICommunicator comm, IReadOnlyList<double> local)
    {
        var values = local.ToArray();
        comm.AllReduceMax(values);
        return values;
    }
}
