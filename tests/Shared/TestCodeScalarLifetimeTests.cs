namespace Forge.Testing;

/// <summary>
/// This test assembly's own code makes no Scalar the GC may finalize while libtorch reads it (<see cref="ScalarLifetimeScan"/>):
/// test classes run in parallel in one process, so an unheld Scalar in one test can abort the whole test host.
/// Compiled into every test project that uses tensors.
/// </summary>
public class TestCodeScalarLifetimeTests
{
    [Fact]
    public void NoTestMethodCreatesAnUnheldScalar()
    {
        ScalarLifetimeScan.AssertNone([typeof(TestCodeScalarLifetimeTests).Assembly], 21, "test code");
    }
}
