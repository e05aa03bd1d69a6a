using System.Diagnostics;

namespace Forge.EndToEnd.Tests;

/// <summary>Runs a .NET program built next to the tests as an Open MPI job of N ranks.</summary>
public static class MpiJob
{
    public static string MpiRun =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mpirun not found: these tests need Open MPI (apt-get install -y openmpi-bin, or run ./forge test as root)");

    public static (int ExitCode, string Output) Run(int ranks, string dll, IEnumerable<string> args, string workDir, IDictionary<string, string>? env = null, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(MpiRun) { WorkingDirectory = workDir };
        foreach (var a in new[] { "-np", ranks.ToString(), "--oversubscribe", "--bind-to", "none", "-x", "TERM=dumb" }) psi.ArgumentList.Add(a);
        if (Environment.UserName == "root") psi.ArgumentList.Add("--allow-run-as-root");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) { psi.ArgumentList.Add("-x"); psi.ArgumentList.Add($"{k}={v}"); }
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return CapturedProcess.Run(psi, timeoutSeconds, out string partial)
            ?? throw new TimeoutException($"mpirun -np {ranks} {dll} did not finish in {timeoutSeconds}s:\n{partial}");
    }
}
