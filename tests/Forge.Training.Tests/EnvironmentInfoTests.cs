namespace Forge.Training.Tests;

public class EnvironmentInfoTests
{
    [Fact]
    public void ResidentMemoryIsPlausible()
    {
        double before = ProcessMemory.ResidentMegabytes();
        var block = new byte[64 << 20];
        Array.Fill(block, (byte)1);   // touch the pages so they become resident
        double after = ProcessMemory.ResidentMegabytes();
        GC.KeepAlive(block);
        Assert.InRange(before, 5, 1 << 20);
        Assert.True(after - before > 40, $"RSS grew by {after - before:0.0} MB after touching 64 MB");
    }

    [Fact]
    public void VersionIsSemanticWithoutBuildMetadata()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+([-.][0-9A-Za-z.]+)?$", ForgeInfo.Version);
        Assert.DoesNotContain("+", ForgeInfo.Version);
    }
}
