using System.Globalization;
using Forge.Core.Randomness;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Forge.Testing;

/// <summary>
/// Runs test collections, and the test cases of each class, in a shuffled order that a seed fixes, so that a test which
/// only passes after (or without) another one is found. The seed is <c>FORGE_TEST_SEED</c> when set (<c>./forge test</c>
/// sets and prints one per run), else a new random one; xunit's diagnostic output names it, and
/// <c>FORGE_TEST_SEED=N ./forge test</c> repeats that order. Collections still run in parallel as xunit.runner.json says:
/// the order decides which tests start first and so which ones meet.
/// </summary>
/// <remarks>
/// xunit 2 orders collections (<see cref="ITestCollectionOrderer"/>) and the cases inside one class
/// (<see cref="ITestCaseOrderer"/>); the classes that share one named collection keep their discovery order.
/// </remarks>
public sealed class RandomOrder : ITestCaseOrderer, ITestCollectionOrderer
{
    public const string SeedVariable = "FORGE_TEST_SEED";
    public const string TypeName = "Forge.Testing.RandomOrder", AssemblyName = "Forge.TestSupport";

    static readonly Lazy<ulong> ProcessSeed = new(ReadSeed);
    static int announced;
    readonly IMessageSink diagnostics;

    public RandomOrder(IMessageSink diagnosticMessageSink) => diagnostics = diagnosticMessageSink;

    /// <summary>The seed of this test process: <c>FORGE_TEST_SEED</c>, or a random one when it is unset.</summary>
    /// <exception cref="InvalidOperationException">FORGE_TEST_SEED is set but not a whole number.</exception>
    public static ulong Seed => ProcessSeed.Value;

    static ulong ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(text)) return (ulong)Random.Shared.Next(1, int.MaxValue);
        return ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            ? seed : throw new InvalidOperationException($"{SeedVariable}='{text}' is not a whole number >= 0");
    }

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var list = testCollections.ToList();
        if (Interlocked.Exchange(ref announced, 1) == 0)
            diagnostics.OnMessage(new DiagnosticMessage(
                $"{list.Count} test collections in random order, seed {Seed} ({SeedVariable}={Seed} repeats it)"));
        return Shuffle(list, c => c.DisplayName, "collections");
    }

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase
    {
        var list = testCases.ToList();
        string scope = list.Count > 0 ? list[0].TestMethod.TestClass.Class.Name : "";
        return Shuffle(list, t => t.UniqueID, scope);
    }

    /// <summary>
    /// A Fisher–Yates shuffle of the items sorted by <paramref name="key"/>, drawn from a stream of the seed chosen by
    /// <paramref name="scope"/> (a class name): the order of one class does not depend on how many others there are.
    /// </summary>
    public static List<T> Shuffle<T>(IEnumerable<T> items, Func<T, string> key, string scope)
    {
        var list = items.OrderBy(key, StringComparer.Ordinal).ToList();
        var rng = DeterministicRandom.ForStream(Seed, Fnv1a(scope));
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }

    // A stable hash: string.GetHashCode differs from one process to the next.
    static ulong Fnv1a(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text) h = (h ^ c) * 0x100000001B3UL;
        return h;
    }
}
