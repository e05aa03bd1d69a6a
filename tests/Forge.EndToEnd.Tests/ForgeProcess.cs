using System.Diagnostics;

namespace Forge.EndToEnd.Tests;

/// <summary>Runs the forge CLI (built next to the tests) as a child process in a working folder.</summary>
public sealed class ForgeProcess : IDisposable
{
    readonly CapturedProcess process;

    public static string CliPath { get; } = Path.Combine(AppContext.BaseDirectory, "forge.dll");

    static ForgeProcess() => RestoreDefaultSigint();

    /// <summary>
    /// A test run started in the background by a non-interactive shell inherits SIGINT as ignored, and children inherit that
    /// too: Ctrl-C would then never reach the forge processes under test. Ignored signals survive exec, handled ones do not,
    /// so the default disposition here is what children start with.
    /// </summary>
    static void RestoreDefaultSigint()
    {
        const int SIGINT = 2;
        var status = File.Exists("/proc/self/status") ? File.ReadAllLines("/proc/self/status") : [];
        var ignored = status.FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is null || (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (SIGINT - 1))) == 0) return;
        signal(SIGINT, IntPtr.Zero);   // SIG_DFL
    }

    [System.Runtime.InteropServices.DllImport("libc")] static extern IntPtr signal(int signum, IntPtr handler);

    ForgeProcess(CapturedProcess p) => process = p;

    public static ForgeProcess Start(string workDir, IEnumerable<string> args, IDictionary<string, string>? env = null) =>
        new(CapturedProcess.Start(StartInfo(workDir, args, env)));

    /// <summary>Runs to completion (or the timeout) and returns exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string workDir, IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutSeconds = 300) =>
        CapturedProcess.Run(StartInfo(workDir, args, env), timeoutSeconds, out string partial)
        ?? throw new TimeoutException($"forge {string.Join(' ', args)} did not finish in {timeoutSeconds}s:\n{partial}");

    static ProcessStartInfo StartInfo(string workDir, IEnumerable<string> args, IDictionary<string, string>? env)
    {
        if (!File.Exists(CliPath)) throw new FileNotFoundException($"forge CLI not built next to the tests: {CliPath}");
        var psi = CapturedProcess.ForgeStartInfo("dotnet", workDir);
        psi.ArgumentList.Add(CliPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FORGE_DATASETS"] = Path.Combine(workDir, "datasets");
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);
    public int Id => process.Id;
    public int ExitCode => process.ExitCode;
    public bool HasExited => process.HasExited;
    public string Output => process.Output;

    /// <summary>SIGKILL, no chance to clean up: what a crash or the OOM killer does.</summary>
    public void Kill() => process.Kill();

    public void Dispose() => process.Dispose();
}
