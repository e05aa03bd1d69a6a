using System.Reflection;
using Forge.Torch;
using TorchSharp;

namespace Forge.Training.Tests.Optimization;

/// <summary>
/// No Forge code hands libtorch a Scalar that the GC may finalize during the call (see <see cref="HeldScalars"/>): checked
/// on the compiled IL of every tensor assembly, so a new <c>t * 0.5</c> or <c>a + b</c> anywhere fails here, not as a rare
/// abort in CI.
/// </summary>
public class ScalarLifetimeTests
{
    static readonly string[] TensorAssemblies = ["Forge.Torch", "Forge.Models", "Forge.Distributed", "Forge.Training"];

    [Fact]
    public void NoForgeMethodCreatesAnUnheldScalar()
    {
        var unsafeTorchSharp = TorchSharpMethodsThatMakeUnheldScalars();
        Assert.True(unsafeTorchSharp.Count > 50, $"the IL scan found only {unsafeTorchSharp.Count} TorchSharp methods that make Scalars internally");
        var offenders = new List<string>();
        int scanned = 0;
        foreach (var method in TensorAssemblies.SelectMany(a => IlCalls.MethodsOf(Assembly.Load(a))))
        {
            scanned++;
            var calls = IlCalls.Callees(method).ToList();
            var bad = calls.Where(c => IsImplicitScalar(c) || unsafeTorchSharp.Contains(c)).Select(Describe).Distinct().ToList();
            // Static and instance constructors may keep Scalars in fields (rooted while their owner lives).
            if (calls.Any(IsExplicitScalar) && !calls.Any(IsDispose) && !method.IsConstructor && method.DeclaringType != typeof(HeldScalars))
                bad.Add("a Scalar it never disposes");
            if (bad.Count > 0) offenders.Add($"{method.DeclaringType?.FullName}.{method.Name}: {string.Join(", ", bad)}");
        }
        Assert.True(scanned > 500, $"only {scanned} methods scanned");
        Assert.True(offenders.Count == 0, "Scalars the GC may finalize while libtorch reads them (use Forge.Torch.HeldScalars):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheScanFindsTheKnownHazards()
    {
        // Guards the check above against passing because the scan sees nothing: TorchSharp's a + b is add(b, 1).
        var hazards = TorchSharpMethodsThatMakeUnheldScalars();
        var plus = typeof(torch.Tensor).GetMethod("op_Addition", [typeof(torch.Tensor), typeof(torch.Tensor)])!;
        var addScalar = typeof(torch.Tensor).GetMethod("add_", [typeof(Scalar)])!;
        var addWithAlpha = typeof(torch.Tensor).GetMethod("add_", [typeof(torch.Tensor), typeof(Scalar)])!;
        Assert.Contains(plus, hazards);
        Assert.Contains(addScalar, hazards);
        Assert.DoesNotContain(addWithAlpha, hazards);
        // Called through the virtual Module.forward, which this scan cannot follow: ConvBnAct uses HeldBatchNorm instead.
        Assert.Contains(typeof(TorchSharp.Modules.BatchNorm).GetMethod("forward", [typeof(torch.Tensor)])!, hazards);
    }

    /// <summary>TorchSharp methods that create a Scalar without disposing it, directly or through another such method.</summary>
    static HashSet<MethodBase> TorchSharpMethodsThatMakeUnheldScalars()
    {
        var assembly = typeof(Scalar).Assembly;
        var calls = IlCalls.MethodsOf(assembly).Distinct().ToDictionary(m => m, m => IlCalls.Callees(m).ToList());
        var hazards = calls.Where(kv => kv.Value.Any(c => IsImplicitScalar(c) || IsExplicitScalar(c)) && !kv.Value.Any(IsDispose))
            .Select(kv => kv.Key).Where(m => !IsImplicitScalar(m) && !IsExplicitScalar(m)).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, callees) in calls)
                if (!hazards.Contains(method) && !IsImplicitScalar(method) && !IsExplicitScalar(method) && callees.Any(hazards.Contains))
                    grew = hazards.Add(method);
        }
        return hazards;
    }

    static bool IsImplicitScalar(MethodBase m) => m is MethodInfo { Name: "op_Implicit" } mi && mi.ReturnType == typeof(Scalar);

    static bool IsExplicitScalar(MethodBase m) => m is MethodInfo mi && mi.ReturnType == typeof(Scalar) && mi.Name != "op_Implicit"
        && (mi.DeclaringType?.Name == "ScalarExtensionMethods" || mi.DeclaringType == typeof(HeldScalars));

    static bool IsDispose(MethodBase m) => m.Name == "Dispose" && (m.DeclaringType == typeof(Scalar) || m.DeclaringType == typeof(IDisposable));

    static string Describe(MethodBase m) => IsImplicitScalar(m)
        ? $"an implicit Scalar from {m.GetParameters()[0].ParameterType.Name}"
        : $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
}
