using System.Reflection;
using Forge.Testing;
using TorchSharp;

namespace Forge.Training.Tests.Optimization;

/// <summary>
/// No Forge code hands libtorch a Scalar that the GC may finalize during the call (see <see cref="Forge.Torch.HeldScalars"/>):
/// checked on the compiled IL of every tensor assembly, so a new <c>t * 0.5</c> or <c>a + b</c> anywhere fails here, not as a
/// rare abort in CI. This test assembly is checked too (<see cref="ScalarLifetimeScan"/>); the other test assemblies that use
/// tensors check themselves (TestCodeScalarLifetimeTests).
/// </summary>
public class ScalarLifetimeTests
{
    static readonly string[] TensorAssemblies = ["Forge.Torch", "Forge.Models", "Forge.Distributed", "Forge.Training"];

    [Fact]
    public void NoForgeMethodCreatesAnUnheldScalar()
    {
        Assert.True(ScalarLifetimeScan.UnsafeTorchSharpMethods.Count > 50,
            $"the IL scan found only {ScalarLifetimeScan.UnsafeTorchSharpMethods.Count} TorchSharp methods that make Scalars internally");
        ScalarLifetimeScan.AssertNone(TensorAssemblies.Select(Assembly.Load), 501, "Forge code");
    }

    [Fact]
    public void NoTestMethodHereCreatesAnUnheldScalar()
    {
        ScalarLifetimeScan.AssertNone([typeof(ScalarLifetimeTests).Assembly], 501, "test code");
    }

    [Fact]
    public void TheScanFindsTheKnownHazards()
    {
        // Guards the checks above against passing because the scan sees nothing: TorchSharp's a + b is add(b, 1).
        var hazards = ScalarLifetimeScan.UnsafeTorchSharpMethods;
        var plus = typeof(torch.Tensor).GetMethod("op_Addition", [typeof(torch.Tensor), typeof(torch.Tensor)])!;
        var addScalar = typeof(torch.Tensor).GetMethod("add_", [typeof(Scalar)])!;
        var addWithAlpha = typeof(torch.Tensor).GetMethod("add_", [typeof(torch.Tensor), typeof(Scalar)])!;
        Assert.Contains(plus, hazards);
        Assert.Contains(addScalar, hazards);
        Assert.DoesNotContain(addWithAlpha, hazards);
        // t.ToDouble() is t.ToScalar().ToDouble() with the Scalar never disposed: the abort seen in Scalar::toDouble.
        var toDouble = typeof(torch.Tensor).Assembly.GetType("TorchSharp.TensorExtensionMethods")!.GetMethod("ToDouble", [typeof(torch.Tensor)])!;
        Assert.Contains(toDouble, hazards);
        // Called through the virtual Module.forward, which this scan cannot follow: ConvBnAct uses HeldBatchNorm instead.
        Assert.Contains(typeof(TorchSharp.Modules.BatchNorm).GetMethod("forward", [typeof(torch.Tensor)])!, hazards);
    }
}
