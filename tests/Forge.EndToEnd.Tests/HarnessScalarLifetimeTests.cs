using System.Reflection;
using Forge.Testing;

namespace Forge.EndToEnd.Tests;

/// <summary>The end-to-end harness (the training runs these tests start) makes no Scalar the GC may finalize
/// while libtorch reads it (<see cref="ScalarLifetimeScan"/>): such an abort would fail a rank, not name a cause.</summary>
public class HarnessScalarLifetimeTests
{
    [Fact]
    public void TheHarnessCreatesNoUnheldScalar()
    {
        var (offenders, scanned) = ScalarLifetimeScan.Scan([Assembly.Load("Forge.EndToEnd.Harness")]);
        Assert.True(scanned > 3, $"only {scanned} methods scanned");
        Assert.True(offenders.Count == 0, "harness code making Scalars the GC may finalize while libtorch reads them (use Forge.Torch.HeldScalars):\n" + string.Join("\n", offenders));
    }
}
