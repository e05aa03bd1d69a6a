using Forge.Cli.Launch;
using Forge.Core.Config;
using Forge.Training.Supervision;

namespace Forge.Cli.Tests;

/// <summary>The self-healing launcher's parts: reading why a job failed, the supervisor lines, hostfiles.</summary>
public class LauncherTests
{
    static FailureReport Read(string text)
    {
        var report = new FailureReport();
        foreach (var line in text.Split('\n')) report.Observe(line.TrimEnd('\r'));
        return report;
    }

    [Fact]
    public void AKilledRankIsNamedWithItsMachineAndSignal()
    {
        // Open MPI 4.1.4's messages after SIGKILL of rank 1 (captured on the development machine).
        var r = Read("""
            --------------------------------------------------------------------------
            Primary job  terminated normally, but 1 process returned
            a non-zero exit code. Per user-direction, the job has been aborted.
            --------------------------------------------------------------------------
            --------------------------------------------------------------------------
            mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed).
            --------------------------------------------------------------------------
            """);
        Assert.Equal("rank 1 on vm killed by signal 9 (Killed)", r.Describe(137));
    }

    [Fact]
    public void ANonZeroExitIsReadFromTheProcessNameBlock()
    {
        var r = Read("""
            mpirun detected that one or more processes exited with non-zero status, thus causing
            the job to be terminated. The first process to do so was:

              Process name: [[5726,1],1]
              Exit code:    3
            """);
        Assert.Equal("rank 1 exited with code 3", r.Describe(3));
    }

    [Fact]
    public void AnExceptionAForgeRankReportedIsTheCauseAndTheAbortThatFollowsIsNot()
    {
        var r = Read("""
            rank 1: (node1) InvalidOperationException: epoch 1, step 3: the loss is not finite
            rank 0: (node0) IOException: something that followed
            --------------------------------------------------------------------------
            MPI_ABORT was invoked on rank 1 in communicator MPI_COMM_WORLD
            with errorcode 1.
            """);
        Assert.Equal("rank 1 on node1 threw InvalidOperationException: epoch 1, step 3: the loss is not finite", r.Describe(1));
    }

    [Fact]
    public void ALostMachineIsNamed()
    {
        var r = Read("""
            ORTE has lost communication with a remote daemon.

              HNP daemon   : [[49279,0],0] on node node0
              Remote daemon: [[49279,0],1] on node 10.250.0.2
            """);
        Assert.Equal("10.250.0.2", r.LostHost);
        Assert.Equal("lost machine 10.250.0.2", r.Describe(1));
        Assert.Equal("mpirun exited with code 9", Read("something else").Describe(9));
    }

    [Fact]
    public void SupervisorLinesRoundTripAndOtherLinesAreNotEvents()
    {
        Assert.Equal(new RunStarted("/runs/detect/my run", 12), SupervisorProtocol.Parse(SupervisorProtocol.RunLine("/runs/detect/my run", 12)));
        Assert.Equal(new StepReached(7), SupervisorProtocol.Parse(SupervisorProtocol.StepLine(7)));
        Assert.Equal(new CheckpointSaved(1, 3, 7), SupervisorProtocol.Parse(SupervisorProtocol.SavedLine(1, 3, 7)));
        Assert.Equal("epoch 2, step 3 (optimizer step 7)", new CheckpointSaved(1, 3, 7).Describe());
        Assert.Null(SupervisorProtocol.Parse("      1/2   0.1G  1.234  2.345  1.111  12  64: 50%|"));
        Assert.Null(SupervisorProtocol.Parse("##forge saved 1 x 7"));
        Assert.Null(SupervisorProtocol.Parse("##forge nonsense 1"));
    }

    [Fact]
    public void AHostfileKeepsItsLinesAndLosesComments()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# cluster\nnode1 slots=4\n\n  node2 slots=4 max_slots=8  # second\n");
            var hosts = HostFile.Load(path);
            Assert.Equal(["node1", "node2"], hosts.Hosts.Select(h => h.Host));
            hosts.Only(["node2"]).WriteTo(path);
            Assert.Equal(["node2 slots=4 max_slots=8"], File.ReadAllLines(path));
            File.WriteAllText(path, "# nothing\n");
            Assert.Contains("names no machine", Assert.Throws<ConfigException>(() => HostFile.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ACfgFileTravelsToTheRanksAsSettingsTheCommandLineStillOverrides()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "epochs: 7\nimgsz: 64\nname: null\n");
            var args = MpiLauncher.InlineConfigFile(["train", $"cfg={path}", "epochs=3"]);
            Assert.Equal(["train", "epochs=7", "imgsz=64", "name=null", "epochs=3"], args);
            var cfg = new ForgeConfig();
            cfg.ApplyArguments(args.Skip(1));
            Assert.Equal(3, cfg.Epochs);
            Assert.Equal(64, cfg.ImgSize);
            Assert.Equal(["train", "epochs=3"], MpiLauncher.InlineConfigFile(["train", "epochs=3"]));
        }
        finally { File.Delete(path); }
    }
}
