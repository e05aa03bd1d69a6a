namespace Forge.Distributed.Tests;

/// <summary>What a user sees when the process looks MPI-launched but the MPI library is missing or not Open MPI.</summary>
public class MpiLibraryLoadingTests
{
    static readonly Dictionary<string, string> LaunchedRankZero = new()
    {
        ["OMPI_COMM_WORLD_RANK"] = "0",
        ["OMPI_COMM_WORLD_SIZE"] = "2",
    };

    [Fact]
    public void AMissingLibraryNamesThePathAndTheFix()
    {
        var env = new Dictionary<string, string>(LaunchedRankZero) { ["FORGE_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" };
        var run = MpiRun.Direct("collectives", env);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Could not load '/nonexistent/libmpi.so.40' (from FORGE_MPI_LIBRARY)", run.Output);
        Assert.Contains("scripts/ensure-deps.sh --mpi", run.Output);
    }

    [Fact]
    public void ALibraryThatIsNotOpenMpiIsRefused()
    {
        var env = new Dictionary<string, string>(LaunchedRankZero) { ["FORGE_MPI_LIBRARY"] = "libm.so.6" };
        var run = MpiRun.Direct("collectives", env);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("'libm.so.6' is not Open MPI", run.Output);
    }
}
