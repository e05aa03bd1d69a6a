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
        ScalarLifetimeScan.AssertNone([Assembly.Load("Forge.Distributed.Harness")], 21, "harness code");
    }
}
