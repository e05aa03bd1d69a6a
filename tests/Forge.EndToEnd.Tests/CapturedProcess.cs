using System.Diagnostics;
using System.Text;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// A child process whose stdout and stderr are captured, interleaved line by line, into one text: the one place the end-to-end
/// tests start processes (the forge CLI, mpirun jobs, the network-namespace script).
/// </summary>
public sealed class CapturedProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    CapturedProcess(Process p) => process = p;

    /// <summary>
    /// A start info for a forge process (directly or through a script): without Forge's test hooks (stop at a step, trace
    /// samples) that the test run's own environment may hold; a test that wants one sets it on the returned info.
    /// </summary>
    public static ProcessStartInfo ForgeStartInfo(string file, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workDir ?? "" };
        foreach (var key in new[] { "FORGE_STOP_AT_STEP", "FORGE_SAMPLE_TRACE" }) psi.Environment.Remove(key);
        return psi;
    }

    /// <summary>Starts <paramref name="psi"/> with both streams redirected (TERM=dumb, so no progress bars).</summary>
    public static CapturedProcess Start(ProcessStartInfo psi)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["TERM"] = "dumb";
        var captured = new CapturedProcess(new Process { StartInfo = psi });
        var p = captured.process;
        p.OutputDataReceived += (_, e) => captured.Append(e.Data);
        p.ErrorDataReceived += (_, e) => captured.Append(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return captured;
    }

    /// <summary>Runs to completion and returns exit code and output; null after <paramref name="timeoutSeconds"/> (the process
    /// tree is then killed and <paramref name="timedOutOutput"/> holds what it printed).</summary>
    public static (int ExitCode, string Output)? Run(ProcessStartInfo psi, int timeoutSeconds, out string timedOutOutput)
    {
        using var p = Start(psi);
        timedOutOutput = "";
        if (p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds))) return (p.ExitCode, p.Output);
        p.Kill();
        timedOutOutput = p.Output;
        return null;
    }

    void Append(string? line) { if (line is not null) lock (output) output.AppendLine(line); }

    /// <summary>False on timeout; on exit, also waits for the output handlers to drain.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit();
        return true;
    }

    public int Id => process.Id;
    public int ExitCode => process.ExitCode;
    public bool HasExited => process.HasExited;
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>SIGKILL of the whole process tree, no chance to clean up: what a crash or the OOM killer does.</summary>
    public void Kill()
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}
