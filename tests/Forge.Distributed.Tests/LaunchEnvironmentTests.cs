using Forge.Distributed;

namespace Forge.Distributed.Tests;

public class LaunchEnvironmentTests
{
    static LaunchEnvironment Parse(params (string Key, string Value)[] vars)
        => LaunchEnvironment.FromVariables(vars.ToDictionary(v => v.Key, v => v.Value));

    [Fact]
    public void NoLauncherVariablesMeansSingleProcess()
    {
        var env = Parse(("HOME", "/root"), ("PATH", "/usr/bin"));
        Assert.Equal(LaunchEnvironment.SingleProcess, env);
        Assert.False(env.IsMpiLaunch);
    }

    [Fact]
    public void ReadsOpenMpiVariables()
    {
        var env = Parse(("OMPI_COMM_WORLD_RANK", "5"), ("OMPI_COMM_WORLD_SIZE", "8"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"),
            ("OMPI_COMM_WORLD_LOCAL_SIZE", "4"), ("PMIX_RANK", "5"));
        Assert.Equal(new LaunchEnvironment(Launcher.OpenMpi, 5, 8, 1, 4, null), env);
        Assert.True(env.IsMpiLaunch);
    }

    [Fact]
    public void OpenMpiInsideSlurmTakesTheNodeFromSlurm()
    {
        var env = Parse(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"),
            ("OMPI_COMM_WORLD_LOCAL_SIZE", "2"), ("SLURM_NODEID", "1"), ("SLURM_PROCID", "0"));
        Assert.Equal(new LaunchEnvironment(Launcher.OpenMpi, 3, 4, 1, 2, 1), env);
    }

    [Fact]
    public void ReadsSrunStepWithCompressedTasksPerNode()
    {
        var env = Parse(("SLURM_PROCID", "6"), ("SLURM_STEP_NUM_TASKS", "7"), ("SLURM_NTASKS", "7"), ("SLURM_LOCALID", "0"),
            ("SLURM_NODEID", "3"), ("SLURM_STEP_TASKS_PER_NODE", "2(x3),1"), ("SLURM_STEP_ID", "0"));
        Assert.Equal(new LaunchEnvironment(Launcher.Slurm, 6, 7, 0, 1, 3), env);
    }

    [Fact]
    public void SbatchShellIsNotAParallelLaunch()
    {
        // The batch script itself sees SLURM_PROCID=0 and SLURM_NTASKS=N but no step task count.
        var env = Parse(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "4"), ("SLURM_JOB_ID", "1234"), ("SLURM_NODEID", "0"));
        Assert.Equal(Launcher.None, env.Launcher);
    }

    [Fact]
    public void SingleTaskSrunStepIsNotAParallelLaunch()
    {
        var env = Parse(("SLURM_PROCID", "0"), ("SLURM_STEP_NUM_TASKS", "1"), ("SLURM_STEP_ID", "0"));
        Assert.False(env.IsMpiLaunch);
    }

    [Fact]
    public void ReadsPmixAndPmiLaunchers()
    {
        Assert.Equal(new LaunchEnvironment(Launcher.Pmix, 2, null, null, null, null), Parse(("PMIX_RANK", "2")));
        Assert.Equal(new LaunchEnvironment(Launcher.Pmi, 1, 3, 1, 2, null),
            Parse(("PMI_RANK", "1"), ("PMI_SIZE", "3"), ("MPI_LOCALRANKID", "1"), ("MPI_LOCALNRANKS", "2")));
    }

    [Fact]
    public void MalformedValuesAreNamedInTheError()
    {
        var e = Assert.Throws<FormatException>(() => Parse(("OMPI_COMM_WORLD_RANK", "one"), ("OMPI_COMM_WORLD_SIZE", "2")));
        Assert.Contains("OMPI_COMM_WORLD_RANK='one'", e.Message);
        var missing = Assert.Throws<FormatException>(() => Parse(("OMPI_COMM_WORLD_SIZE", "2")));
        Assert.Contains("OMPI_COMM_WORLD_RANK is missing", missing.Message);
        var inconsistent = Assert.Throws<FormatException>(() => Parse(("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_SIZE", "2")));
        Assert.Contains("rank 2 with world size 2", inconsistent.Message);
    }

    [Theory]
    [InlineData("4", 0, 4)]
    [InlineData("2(x3),1", 0, 2)]
    [InlineData("2(x3),1", 2, 2)]
    [InlineData("2(x3),1", 3, 1)]
    [InlineData("1,3(x2)", 2, 3)]
    public void ExpandsSlurmTasksPerNode(string list, int node, int expected)
        => Assert.Equal(expected, LaunchEnvironment.TasksOnNode(list, node, "SLURM_STEP_TASKS_PER_NODE"));

    [Theory]
    [InlineData("2(3)", 0)]
    [InlineData("2(x)", 0)]
    [InlineData("a", 0)]
    [InlineData("2(x2)", 2)]
    public void RejectsMalformedTasksPerNode(string list, int node)
        => Assert.Throws<FormatException>(() => LaunchEnvironment.TasksOnNode(list, node, "SLURM_STEP_TASKS_PER_NODE"));

    [Fact]
    public void FactoryGivesTheSingleProcessCommunicatorWithoutALauncher()
    {
        using var comm = Communicator.FromEnvironment(LaunchEnvironment.SingleProcess);
        Assert.IsType<SingleProcessCommunicator>(comm);
    }
}
