namespace Forge.Training.Tests;

public class EnvironmentInfoTests
{
    static double VmRssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;   // "VmRSS:  123456 kB"
    }

    [Fact]
    public void ResidentMemoryAgreesWithTheKernelsVmRss()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Other tests allocate concurrently: bracket the reading and allow for that.
        double low = VmRssMegabytes();
        double rss = ProcessMemory.ResidentMegabytes();
        double high = VmRssMegabytes();
        Assert.InRange(rss, Math.Min(low, high) - 64, Math.Max(low, high) + 64);
        Assert.True(rss > 10, $"{rss} MB");
    }

    [Fact]
    public void VersionIsSemanticWithoutBuildMetadata()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+([-.][0-9A-Za-z.]+)?$", ForgeInfo.Version);
        Assert.DoesNotContain("+", ForgeInfo.Version);
    }
}
