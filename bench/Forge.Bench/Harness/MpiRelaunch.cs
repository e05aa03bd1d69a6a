using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Forge.Bench.Harness;

/// <summary>
/// Starts this same benchmark as an Open MPI job (nproc=N), and tells the commands that do it by hand. Ranks set their own
/// thread counts, so processes are not bound to cores.
/// </summary>
public static class MpiRelaunch
{
    static string Dll => Path.Combine(AppContext.BaseDirectory, "forge-bench.dll");

    static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    /// <summary>The mpirun command line for <paramref name="ranks"/> ranks of this benchmark.</summary>
    public static List<string> Arguments(int ranks, IEnumerable<string> benchArgs)
    {
        var args = new List<string> { "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (IsRoot) args.Add("--allow-run-as-root");
        if (ranks > Environment.ProcessorCount) args.Add("--oversubscribe");
        args.AddRange(["--bind-to", "none", "-x", "TERM=dumb", "dotnet", Dll]);
        args.AddRange(benchArgs);
        return args;
    }

    /// <summary>Both ways to launch <paramref name="name"/> on <paramref name="ranks"/> ranks, for a message.</summary>
    public static string HowToLaunch(string name, int ranks, IEnumerable<string> keyValues)
    {
        var kv = string.Join("", keyValues.Select(a => " " + a));
        return $"  ./forge bench {name} nproc={ranks}{kv}\n" +
               $"  mpirun {string.Join(' ', Arguments(ranks, new[] { name }.Concat(keyValues)))}";
    }

    public static int Run(int ranks, IEnumerable<string> benchArgs, TextWriter stdout)
    {
        var mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists)
            ?? throw new BenchUsageException("nproc>1 needs Open MPI's mpirun: apt-get install -y openmpi-bin (./forge bench ... nproc=N installs it when run as root)");
        var args = Arguments(ranks, benchArgs);
        stdout.WriteLine($"forge-bench: launching {ranks} ranks: mpirun {string.Join(' ', args)}");
        stdout.Flush();
        var psi = new ProcessStartInfo(mpirun) { UseShellExecute = false };
        psi.Environment["TERM"] = "dumb";   // ranks print plain text, no terminal control sequences
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Ctrl-C goes to mpirun too (same process group); wait for it to stop the ranks rather than leaving them behind.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {mpirun}");
        process.WaitForExit();
        return process.ExitCode;
    }

    [DllImport("libc")] static extern uint geteuid();
}
