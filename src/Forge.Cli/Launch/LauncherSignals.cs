using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Forge.Cli.Launch;

/// <summary>
/// SIGTERM and Ctrl-C sent to the launcher: the first asks every rank to save and stop (SIGUSR1 to mpirun, which forwards it to
/// all ranks on all machines; its own SIGTERM handling would kill them unsaved), a second stops the job at once (SIGTERM to
/// mpirun). Either way the job is not restarted.
/// </summary>
public sealed class LauncherSignals : IDisposable
{
    const int Sigusr1 = 10, Sigterm = 15;
    readonly PosixSignalRegistration sigint, sigterm;
    readonly TextWriter stderr;
    readonly object gate = new();
    Process? current;
    int received;

    /// <summary>"SIGTERM" or "SIGINT" once one arrived.</summary>
    public string? StopReason { get; private set; }

    public LauncherSignals(TextWriter stderr)
    {
        this.stderr = stderr;
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>The mpirun now running (null between attempts).</summary>
    public void Track(Process? process)
    {
        lock (gate)
        {
            current = process;
            if (process is not null && received > 0) Forward(process, received > 1 ? Sigterm : Sigusr1);
        }
    }

    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (gate)
        {
            StopReason ??= context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
            received++;
            stderr.WriteLine(received == 1
                ? $"forge: {StopReason}: every rank saves and stops after its current step (again to stop at once)"
                : "forge: stopping every rank now");
            if (current is not null) Forward(current, received > 1 ? Sigterm : Sigusr1);
        }
    }

    static void Forward(Process p, int signal)
    {
        try { if (!p.HasExited) kill(p.Id, signal); } catch (InvalidOperationException) { }
    }

    [DllImport("libc", SetLastError = true)] static extern int kill(int pid, int sig);

    public void Dispose()
    {
        sigint.Dispose();
        sigterm.Dispose();
    }
}
