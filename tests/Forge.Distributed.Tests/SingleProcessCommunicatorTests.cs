using Forge.Distributed;

namespace Forge.Distributed.Tests;

public class SingleProcessCommunicatorTests
{
    readonly SingleProcessCommunicator comm = new();

    [Fact]
    public void IsAWorldOfOne()
    {
        Assert.Equal((0, 1, 0, 1, true, "single"), (comm.Rank, comm.WorldSize, comm.LocalRank, comm.LocalSize, comm.IsMain, comm.Backend));
    }

    [Fact]
    public void ReductionsAndBroadcastLeaveDataUnchanged()
    {
        var f = new[] { 1.5f, -2f };
        var d = new[] { 3.25 };
        var l = new[] { long.MaxValue, 7L };
        comm.AllReduceSum(f);
        comm.AllReduceSum(d);
        comm.AllReduceSum(l);
        comm.AllReduceMax(d);
        comm.AllReduceMin(l);
        comm.Broadcast(f, 0);   // arrays convert to spans, T inferred (C# 14 first-class spans)
        comm.Barrier();
        Assert.Equal(new[] { 1.5f, -2f }, f);
        Assert.Equal(new[] { 3.25 }, d);
        Assert.Equal(new[] { long.MaxValue, 7L }, l);
    }

    [Fact]
    public void BroadcastFromAnotherRankIsAnError()
        => Assert.Throws<ArgumentOutOfRangeException>(() => comm.Broadcast<byte>(new byte[1], 1));

    [Fact]
    public void GathersReturnThisRanksValueAlone()
    {
        Assert.Equal(new[] { 42 }, comm.AllGather(42));
        var source = new byte[] { 1, 2, 3 };
        var gathered = comm.AllGatherBytes(source);
        Assert.Single(gathered);
        Assert.Equal(source, gathered[0]);
        source[0] = 9;
        Assert.Equal(1, gathered[0][0]);   // a copy, not the caller's buffer
    }

    [Fact]
    public void BenchmarkRunsOnOneRank()
    {
        var output = new StringWriter();
        var timings = AllReduceBenchmark.Run(comm, new[] { 1 }, output);
        Assert.Single(timings);
        Assert.Equal(1, timings[0].SizeMb);
        Assert.True(timings[0].SecondsPerCall >= 0);
        Assert.Contains("backend single", output.ToString());
    }
}
