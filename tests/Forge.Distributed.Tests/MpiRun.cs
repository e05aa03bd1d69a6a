using System.Diagnostics;
using System.Text;

namespace Forge.Distributed.Tests;

/// <summary>Runs a harness scenario as an Open MPI job and collects its exit code and interleaved output.</summary>
internal static class MpiRun
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    public static Result Scenario(string scenario, int processes = 2, int timeoutSeconds = 90)
    {
        string mpirun = FindOnPath("mpirun") ?? throw new InvalidOperationException(
            "mpirun was not found on PATH, so the multi-process tests cannot run. Install Open MPI with " +
            "'sudo scripts/ensure-deps.sh --mpi' (Debian/Ubuntu: apt-get install openmpi-bin) and run the tests again.");
        var psi = new ProcessStartInfo(mpirun);
        if (Environment.UserName == "root") psi.ArgumentList.Add("--allow-run-as-root");
        foreach (var a in new[] { "--oversubscribe", "--bind-to", "none", "-np", processes.ToString(), DotnetHost(), HarnessPath(), scenario })
            psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";   // mpirun gives ranks a pty; keep .NET from writing terminal control codes
        return Execute(psi, scenario, timeoutSeconds);
    }

    /// <summary>Runs one harness process directly (no mpirun) with extra environment variables.</summary>
    public static Result Direct(string scenario, IReadOnlyDictionary<string, string> environment, int timeoutSeconds = 60)
    {
        var psi = new ProcessStartInfo(DotnetHost());
        psi.ArgumentList.Add(HarnessPath());
        psi.ArgumentList.Add(scenario);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        return Execute(psi, scenario, timeoutSeconds);
    }

    static string HarnessPath()
    {
        string harness = Path.Combine(AppContext.BaseDirectory, "Forge.Distributed.Harness.dll");
        if (!File.Exists(harness)) throw new FileNotFoundException($"the test harness was not built next to the tests: {harness}");
        return harness;
    }

    static Result Execute(ProcessStartInfo psi, string scenario, int timeoutSeconds)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        DataReceivedEventHandler collect = (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) throw new TimeoutException($"{psi.FileName} ... {scenario} did not finish within {timeoutSeconds} s. Output:\n{output}");
        }
        process.WaitForExit();   // drains the asynchronous readers
        lock (output) return new Result(process.ExitCode, output.ToString(), watch.Elapsed);
    }

    // The same dotnet that runs the tests (set by the SDK), so the harness uses the same runtime.
    static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return FindOnPath("dotnet") ?? "dotnet";
    }

    static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
