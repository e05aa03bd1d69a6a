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
        ScalarLifetimeScan.AssertNone([Assembly.Load("Forge.EndToEnd.Harness")], 4, "harness code");
    }
}
