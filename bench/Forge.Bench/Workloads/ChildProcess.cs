using System.Diagnostics;
using System.Text;

namespace Forge.Bench.Workloads;

/// <summary>A child process with its stdout and stderr collected, which can be SIGKILLed (with its children).</summary>
public sealed class ChildProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    public ChildProcess(string fileName, IEnumerable<string> args, string workDir, IReadOnlyDictionary<string, string?> env)
    {
        var psi = new ProcessStartInfo(fileName) { WorkingDirectory = workDir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (output) return output.ToString(); } }
    public int ExitCode => process.ExitCode;

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit();   // lets the output handlers drain
        return true;
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed, as when the machine or the OOM killer ends a job.</summary>
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
