using System.Diagnostics;
using Forge.Training.Supervision;

namespace Forge.Cli.Launch;

/// <summary>
/// One run of mpirun: started in its own session (so a terminal's Ctrl-C reaches only the launcher, which asks the ranks to
/// save and stop), its output echoed line by line except the <see cref="SupervisorProtocol"/> lines, which are recorded: the run
/// folder, the last optimizer step reached, the last checkpoint on disk. Failure messages go to <see cref="Failure"/>.
/// </summary>
public sealed class MpiAttempt
{
    readonly object gate = new();
    readonly TextWriter stdout, stderr;

    public int ExitCode { get; private set; }
    public string? RunPath { get; private set; }
    public CheckpointSaved? LastSave { get; private set; }
    /// <summary>Optimizer steps into the run when this job started training (0 fresh; a resumed job's checkpoint), null before that.</summary>
    public long? StartedAt { get; private set; }
    /// <summary>Optimizer steps completed when the job ended (null: none reported).</summary>
    public long? StepsReached { get; private set; }
    public FailureReport Failure { get; } = new();

    MpiAttempt(TextWriter stdout, TextWriter stderr) => (this.stdout, this.stderr) = (stdout, stderr);

    /// <summary>Runs <paramref name="mpirun"/> with <paramref name="args"/> to its end; <paramref name="started"/> learns the process (for signals).</summary>
    public static MpiAttempt Run(string mpirun, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Action<Process?> started)
    {
        var attempt = new MpiAttempt(stdout, stderr);
        var setsid = MpiLauncher.FindOnPath("setsid");
        var psi = new ProcessStartInfo(setsid ?? mpirun) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (setsid is not null) psi.ArgumentList.Add(mpirun);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) attempt.OnLine(e.Data, error: false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) attempt.OnLine(e.Data, error: true); };
        if (!process.Start()) throw new InvalidOperationException($"could not start {mpirun}");
        started(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        started(null);
        attempt.ExitCode = process.ExitCode;
        return attempt;
    }

    void OnLine(string line, bool error)
    {
        lock (gate)
        {
            // Open MPI gives ranks a pseudo-terminal, so a protocol line may follow an unterminated progress bar on the same line.
            int at = line.IndexOf(SupervisorProtocol.Prefix, StringComparison.Ordinal);
            if (at > 0)
            {
                OnLine(line[..at], error);
                line = line[at..];
            }
            switch (SupervisorProtocol.Parse(line))
            {
                case RunStarted r: (RunPath, StartedAt, StepsReached) = (r.RunPath, r.OptimizerSteps, r.OptimizerSteps); return;
                case StepReached s: StepsReached = s.OptimizerSteps; return;
                case CheckpointSaved c: LastSave = c; return;
            }
            Failure.Observe(line);
            (error ? stderr : stdout).WriteLine(line);
        }
    }
}
