using System.Globalization;
using System.Reflection;
using Forge.Distributed;
using Forge.Training;

namespace Forge.Bench.Harness;

/// <summary>
/// forge-bench's command line: <c>list</c>, <c>help NAME</c>, or <c>NAME key=value...</c>. Checks the settings, starts an
/// mpirun job for nproc=N, creates the communicator, sets threads, and frames every run with a header (machine, settings)
/// and a footer saying how busy the machine was meanwhile.
/// </summary>
public sealed class BenchRunner(IReadOnlyList<IBenchmark> benchmarks)
{
    static readonly BenchKey[] CommonKeys =
    [
        new("threads", "0", "torch intra-op threads per rank (0: cores / ranks on this machine)"),
        new("nproc", "1", "start this many ranks with mpirun (distributed benchmarks)"),
    ];

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0 || args[0] is "help" or "-h" or "--help")
            {
                if (args.Length > 1) return Help(Find(args[1]), stdout);
                Usage(stdout);
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "list")
            {
                foreach (var b in benchmarks) stdout.WriteLine($"{b.Name,-14}{b.Summary}");
                return 0;
            }
            var bench = Find(args[0]);
            if (args.Length > 1 && args[1] is "help" or "-h" or "--help") return Help(bench, stdout);
            var settings = new BenchArgs(bench.Name, bench.Keys.Concat(CommonKeys), args[1..]);
            var launch = LaunchEnvironment.Current();
            int nproc = settings.Int("nproc");
            if (nproc > 1 && !launch.IsMpiLaunch)
                return MpiRelaunch.Run(nproc, args.Where(a => !a.StartsWith("nproc=", StringComparison.OrdinalIgnoreCase)), stdout);
            return Execute(bench, settings, args[1..], stdout);
        }
        catch (BenchUsageException e)
        {
            stderr.WriteLine($"forge-bench: {e.Message}");
            return 2;
        }
    }

    int Execute(IBenchmark bench, BenchArgs settings, string[] keyValues, TextWriter stdout)
    {
        using var comm = Communicator.FromEnvironment();
        var ctx = new BenchContext(settings, comm, stdout);
        if (comm.WorldSize < bench.MinRanks)
        {
            if (comm.IsMain)
            {
                stdout.WriteLine($"forge-bench {bench.Name}: needs at least {bench.MinRanks} ranks, this is a single process. Launch it with one of:");
                stdout.WriteLine(MpiRelaunch.HowToLaunch(bench.Name, bench.MinRanks, keyValues.Where(a => !a.StartsWith("nproc=", StringComparison.OrdinalIgnoreCase))));
                stdout.WriteLine("  (build first with './forge build' when calling mpirun yourself)");
            }
            return 2;
        }
        DeviceSelector.ConfigureHost(settings.Int("threads"), comm.LocalSize);
        var load = new MachineLoad();
        var o = ctx.Out;
        o.WriteLine($"== forge-bench {bench.Name} ==  {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z");
        o.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverage()} (1/5/15 min) at start; " +
                    $"{comm.WorldSize} rank(s) ({comm.Backend}), {ctx.Threads} torch thread(s) per rank; TorchSharp {TorchSharpVersion()}, .NET {Environment.Version}");
        // libgomp reads this once at start-up; its default (spin before sleeping) is very costly when other processes use the cores.
        o.WriteLine($"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset: OpenMP threads spin before sleeping)"}");
        o.WriteLine($"settings: {settings.Describe()}");
        o.WriteLine();
        int code = bench.Run(ctx);
        var (all, own, wall) = load.Measure();
        Span<double> jobCores = [own];
        comm.AllReduceSum(jobCores);
        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"machine during the run ({wall:F0} s): all processes kept {all:F2} of {Environment.ProcessorCount} cores busy on average; " +
            $"this benchmark {jobCores[0]:F2}{(comm.WorldSize > 1 ? $" (all {comm.WorldSize} ranks)" : "")}, other work {Math.Max(0, all - jobCores[0]):F2}; load average now {MachineLoad.LoadAverage()}"));
        comm.Barrier();
        return code;
    }

    IBenchmark Find(string name) =>
        benchmarks.FirstOrDefault(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new BenchUsageException($"no benchmark named '{name}'; 'forge-bench list' shows them: {string.Join(", ", benchmarks.Select(b => b.Name))}");

    static int Help(IBenchmark b, TextWriter w)
    {
        w.WriteLine($"forge-bench {b.Name}: {b.Summary}");
        if (b.MinRanks > 1) w.WriteLine($"needs {b.MinRanks}+ ranks: nproc={b.MinRanks}, or under mpirun");
        w.WriteLine("keys (key=value, defaults shown):");
        var all = b.Keys.Concat(CommonKeys).ToList();
        int width = all.Max(k => k.Name.Length + 1 + k.Default.Length) + 2;
        foreach (var k in all) w.WriteLine($"  {(k.Name + "=" + k.Default).PadRight(width)}{k.Help}");
        return 0;
    }

    void Usage(TextWriter w)
    {
        w.WriteLine("usage: forge-bench <name> [key=value ...]   (through the wrapper: ./forge bench <name> ...)");
        w.WriteLine("       forge-bench list | help <name>");
        w.WriteLine();
        foreach (var b in benchmarks) w.WriteLine($"  {b.Name,-14}{b.Summary}");
    }

    static string TorchSharpVersion() =>
        typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?";
}
