namespace Forge.Distributed.Harness;

/// <summary>A rank failing mid-run while the others wait in a collective: the job must end promptly, naming the rank.</summary>
internal static class FaultScenarios
{
    public static void Throw(ICommunicator comm)
    {
        var x = new[] { 1.0 };
        comm.AllReduceSum(x);
        if (comm.Rank == comm.WorldSize - 1) throw new InvalidOperationException("injected failure in the training step");
        comm.AllReduceSum(x);   // the others block here until the failing rank's abort ends the job
        throw new InvalidOperationException("unreachable: the collective completed without the failed rank");
    }

    public static void Exit(ICommunicator comm)
    {
        comm.Barrier();
        if (comm.Rank == comm.WorldSize - 1)
        {
            Console.Error.WriteLine($"rank {comm.Rank}: exiting abruptly with code 3");
            Environment.Exit(3);   // no MPI_Finalize, no abort: like a process killed mid-run
        }
        comm.Barrier();
        throw new InvalidOperationException("unreachable: the barrier completed without the exited rank");
    }
}
