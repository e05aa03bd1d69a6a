using System.Diagnostics;
using System.Globalization;

namespace Forge.Bench.Harness;

/// <summary>
/// How busy the machine was while a benchmark ran: busy CPU time of all processes (from /proc/stat) against this job's own
/// CPU time, over the same wall-clock interval. What remains is other work competing for the cores, which every figure
/// should be read against on a shared machine.
/// </summary>
public sealed class MachineLoad
{
    readonly long startTicks = Stopwatch.GetTimestamp();
    readonly double startBusy = SystemBusySeconds() ?? double.NaN;
    readonly double startOwn = OwnSeconds();

    /// <summary>Load averages (1, 5, 15 min) as /proc/loadavg reports them, or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>Average cores in use over the interval: (all processes, this process).</summary>
    public (double AllCores, double OwnCores, double WallSeconds) Measure()
    {
        double wall = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        double busy = (SystemBusySeconds() ?? double.NaN) - startBusy;
        double own = OwnSeconds() - startOwn;
        return (busy / wall, own / wall, wall);
    }

    /// <summary>CPU seconds of this process and of the child processes it has waited for (kill-resume's CLI runs).</summary>
    static double OwnSeconds()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = 0;
            for (int i = 11; i <= 14; i++) ticks += long.Parse(f[i], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        }
    }

    /// <summary>Busy seconds summed over all CPUs since boot (user+nice+system+irq+softirq+steal), or null without /proc.</summary>
    static double? SystemBusySeconds()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var first = reader.ReadLine();
            if (first is null || !first.StartsWith("cpu ", StringComparison.Ordinal)) return null;
            var f = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => i < f.Length ? long.Parse(f[i], CultureInfo.InvariantCulture) : 0;
            long busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);   // idle (4) and iowait (5) left out
            return busy / 100.0;   // USER_HZ is 100 on Linux
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
