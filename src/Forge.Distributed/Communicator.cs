namespace Forge.Distributed;

/// <summary>Creates the communicator that fits how this process was started.</summary>
public static class Communicator
{
    /// <summary>
    /// An <see cref="MpiCommunicator"/> when a parallel launcher started this process (mpirun, srun with several tasks, a PMI/PMIx
    /// launcher), otherwise a <see cref="SingleProcessCommunicator"/>. The MPI library is only loaded in the first case.
    /// </summary>
    public static ICommunicator FromEnvironment() => FromEnvironment(LaunchEnvironment.Current());

    public static ICommunicator FromEnvironment(LaunchEnvironment launch)
        => launch.IsMpiLaunch ? new MpiCommunicator(launch) : new SingleProcessCommunicator();
}
