using System.Reflection;
using Forge.Torch;
using TorchSharp;

namespace Forge.Testing;

/// <summary>
/// Finds methods that hand libtorch a <see cref="Scalar"/> the GC may finalize during the call (see <see cref="HeldScalars"/>),
/// by reading compiled IL: an implicit Scalar conversion, a TorchSharp method that makes one internally (<c>a + b</c> is
/// <c>add(b, 1)</c>), or an explicit Scalar never disposed. Test code counts too: a test host runs test classes in parallel,
/// so another test's allocations can trigger the collection that frees the Scalar while libtorch reads it (exit 134,
/// "Scalar::toFloat").
/// </summary>
static class ScalarLifetimeScan
{
    static readonly Lazy<HashSet<MethodBase>> Hazards = new(TorchSharpMethodsThatMakeUnheldScalars);

    /// <summary>TorchSharp methods that create a Scalar without disposing it, directly or through another such method.</summary>
    public static HashSet<MethodBase> UnsafeTorchSharpMethods => Hazards.Value;

    /// <summary>"Type.Method: what it does" for every offending method of <paramref name="assemblies"/>; and how many were scanned.</summary>
    public static (List<string> Offenders, int Scanned) Scan(IEnumerable<Assembly> assemblies)
    {
        var offenders = new List<string>();
        int scanned = 0;
        foreach (var method in assemblies.SelectMany(IlCalls.MethodsOf))
        {
            scanned++;
            var calls = IlCalls.Callees(method).ToList();
            var bad = calls.Where(c => IsImplicitScalar(c) || UnsafeTorchSharpMethods.Contains(c)).Select(Describe).Distinct().ToList();
            // Static and instance constructors may keep Scalars in fields (rooted while their owner lives).
            if (calls.Any(IsExplicitScalar) && !calls.Any(IsDispose) && !method.IsConstructor && method.DeclaringType != typeof(HeldScalars))
                bad.Add("a Scalar it never disposes");
            if (bad.Count > 0) offenders.Add($"{method.DeclaringType?.FullName}.{method.Name}: {string.Join(", ", bad)}");
        }
        return (offenders, scanned);
    }

    /// <summary>Fails (xunit) when <paramref name="assemblies"/> have fewer than <paramref name="minimumMethods"/> methods (the
    /// scan saw nothing) or any offender, listed with <paramref name="what"/>.</summary>
    public static void AssertNone(IEnumerable<Assembly> assemblies, int minimumMethods, string what)
    {
        var (offenders, scanned) = Scan(assemblies);
        Assert.True(scanned >= minimumMethods, $"only {scanned} methods scanned");
        Assert.True(offenders.Count == 0, $"{what} making Scalars the GC may finalize while libtorch reads them (use Forge.Torch.HeldScalars):\n" + string.Join("\n", offenders));
    }

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

    // A new Scalar the caller owns: ScalarExtensionMethods.ToScalar, HeldScalars.Of, and Tensor.ToScalar (behind TorchSharp's
    // t.ToDouble()/ToSingle(), which never dispose it).
    static bool IsExplicitScalar(MethodBase m) => m is MethodInfo mi && mi.ReturnType == typeof(Scalar) && mi.Name != "op_Implicit"
        && (mi.DeclaringType?.Name == "ScalarExtensionMethods" || mi.DeclaringType == typeof(HeldScalars)
            || mi.DeclaringType == typeof(TorchSharp.torch.Tensor) && mi.Name == "ToScalar");

    static bool IsDispose(MethodBase m) => m.Name == "Dispose" && (m.DeclaringType == typeof(Scalar) || m.DeclaringType == typeof(IDisposable));

    static string Describe(MethodBase m) => IsImplicitScalar(m)
        ? $"an implicit Scalar from {m.GetParameters()[0].ParameterType.Name}"
        : $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";
}
