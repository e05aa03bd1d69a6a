using System.Text.RegularExpressions;

namespace Forge.Distributed.Tests;

/// <summary>
/// Two real ranks under mpirun running harness scenarios (tests/Forge.Distributed.Harness). The scenarios check their own
/// results and abort the job on a mismatch; here the exit code and output are checked. One class, so jobs run one at a time.
/// </summary>
public class MultiProcessTests
{
    static void AssertBothRanksPassed(string scenario)
    {
        var run = MpiRun.Scenario(scenario);
        Assert.True(run.ExitCode == 0, $"mpirun {scenario} exited with {run.ExitCode}:\n{run.Output}");
        Assert.Contains($"rank 0: {scenario} ok", run.Output);
        Assert.Contains($"rank 1: {scenario} ok", run.Output);
    }

    [Fact]
    public void AllReduceBroadcastAndGathersAgreeAcrossRanks() => AssertBothRanksPassed("collectives");

    [Fact]
    public void ModuleStateBroadcastGivesIdenticalChecksums()
    {
        var run = MpiRun.Scenario("module-broadcast");
        Assert.True(run.ExitCode == 0, $"mpirun exited with {run.ExitCode}:\n{run.Output}");
        var sums = Regex.Matches(run.Output, @"rank (\d): checksum ([0-9a-f]{16})").Select(m => m.Groups[2].Value).ToArray();
        Assert.Equal(2, sums.Length);
        Assert.Equal(sums[0], sums[1]);
    }

    [Fact]
    public void GradientBucketReducerAveragesExactly() => AssertBothRanksPassed("gradient-reducer");

    [Fact]
    public void UnusedParametersAreReportedOnceByRankZero()
    {
        var run = MpiRun.Scenario("unused-parameters");
        Assert.True(run.ExitCode == 0, $"mpirun exited with {run.ExitCode}:\n{run.Output}");
        var warnings = run.Output.Split('\n').Where(l => l.Contains("received no gradient")).ToArray();
        var warning = Assert.Single(warnings);
        Assert.StartsWith("rank 0:", warning);
        Assert.Contains("extra.weight, extra.bias", warning);
    }

    [Fact]
    public void SamplersPartitionTheDatasetAcrossRealRanks() => AssertBothRanksPassed("sampler");

    [Fact]
    public void SyncBatchNormOnSlicesEqualsBatchNormOnTheWholeBatch() => AssertBothRanksPassed("sync-batchnorm");

    [Fact]
    public void SyncBatchNormDetectorGradientsSumToTheFullBatchGradients() => AssertBothRanksPassed("sync-batchnorm-detector");

    [Fact]
    public void AnExceptionOnOneRankAbortsTheJobNamingTheRank()
    {
        var run = MpiRun.Scenario("fault-throw", timeoutSeconds: 60);
        Assert.NotEqual(0, run.ExitCode);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), $"the job took {run.Elapsed.TotalSeconds:F1} s to end:\n{run.Output}");
        Assert.Contains("rank 1: System.InvalidOperationException: injected failure in the training step", run.Output);
        Assert.DoesNotContain("unreachable", run.Output);
    }

    [Fact]
    public void ARankExitingMidRunEndsTheJob()
    {
        var run = MpiRun.Scenario("fault-exit", timeoutSeconds: 60);
        Assert.Equal(3, run.ExitCode);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), $"the job took {run.Elapsed.TotalSeconds:F1} s to end:\n{run.Output}");
        Assert.Contains("rank 1: exiting abruptly with code 3", run.Output);
        Assert.Matches(@"Process name: \[\[\d+,\d+\],1\]", run.Output);   // Open MPI names the rank that left
        Assert.DoesNotContain("unreachable", run.Output);
    }
}
