using System.Runtime.InteropServices;

namespace Forge.Training;

/// <summary>
/// Turns SIGTERM (pre-emption, Slurm's time limit) and SIGINT (Ctrl-C) into a request to stop at the next step boundary,
/// so the trainer can finish the step, save and exit cleanly. A second Ctrl-C is not intercepted and ends the process.
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
    }

    void OnSignal(PosixSignalContext context)
    {
        if (context.Signal == PosixSignal.SIGINT && Interlocked.Increment(ref interrupts) > 1) return;   // default handling: exit now
        context.Cancel = true;
        Reason ??= context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
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
