using System.Runtime.InteropServices;

namespace Forge.Training;

/// <summary>
/// Turns SIGTERM (pre-emption, Slurm's time limit) and SIGINT (Ctrl-C) into a request to stop at the next step boundary,
/// so the trainer can finish the step, save and exit cleanly. A second Ctrl-C is not intercepted and ends the process.
/// SIGUSR1 is the same request from Forge's launcher: mpirun forwards SIGUSR1 to every rank on every machine (its own
/// SIGTERM/SIGINT handling would kill them), so the launcher turns a SIGTERM or Ctrl-C it receives into SIGUSR1 for mpirun.
/// </summary>
public sealed class StopSignal : IDisposable
{
    readonly List<PosixSignalRegistration> registrations = new();
    volatile int requested;
    int interrupts;

    public bool Requested => requested != 0;
    public string? Reason { get; private set; }

    public StopSignal(bool install = true)
    {
        if (!install) return;
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        if (OperatingSystem.IsLinux()) registrations.Add(PosixSignalRegistration.Create(Sigusr1, OnSignal));
    }

    /// <summary>Linux's SIGUSR1 (10), a raw value PosixSignalRegistration accepts.</summary>
    public const PosixSignal Sigusr1 = (PosixSignal)10;

    void OnSignal(PosixSignalContext context)
    {
        if (context.Signal == PosixSignal.SIGINT && Interlocked.Increment(ref interrupts) > 1) return;   // default handling: exit now
        context.Cancel = true;
        Reason ??= context.Signal switch
        {
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGINT => "SIGINT",
            _ => "the launcher's stop request (SIGTERM or Ctrl-C, forwarded as SIGUSR1)",
        };
        requested = 1;
    }

    /// <summary>For tests and for other ranks' requests.</summary>
    public void Request(string reason)
    {
        Reason ??= reason;
        requested = 1;
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        registrations.Clear();
    }
}
