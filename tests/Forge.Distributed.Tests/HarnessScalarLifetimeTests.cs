using System.Reflection;
using Forge.Testing;

namespace Forge.Distributed.Tests;

/// <summary>The multi-rank harness (run under mpirun by <see cref="MultiProcessTests"/>) makes no Scalar the GC may finalize
/// while libtorch reads it (<see cref="ScalarLifetimeScan"/>): such an abort would fail a rank, not name a cause.</summary>
public class HarnessScalarLifetimeTests
{
    [Fact]
    public void TheHarnessCreatesNoUnheldScalar()
    {
        var (offenders, scanned) = ScalarLifetimeScan.Scan([Assembly.Load("Forge.Distributed.Harness")]);
        Assert.True(scanned > 20, $"only {scanned} methods scanned");
        Assert.True(offenders.Count == 0, "harness code making Scalars the GC may finalize while libtorch reads them (use Forge.Torch.HeldScalars):\n" + string.Join("\n", offenders));
    }
}
