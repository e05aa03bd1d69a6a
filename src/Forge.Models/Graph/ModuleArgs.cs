using System.Globalization;

namespace Forge.Models.Graph;

/// <summary>
/// Positional arguments of one yaml row after parse_model's string resolution, read with Python's defaults and
/// conversions (ints where bools are expected count as truthiness, ints where floats are expected widen).
/// Errors name the yaml file, line, layer and module.
/// </summary>
public sealed class ModuleArgs
{
    readonly IReadOnlyList<object?> args;

    /// <summary>"file.yaml:12: layer 4 (C2f)" — the prefix of every error about this row.</summary>
    public string Where { get; }
    public int Count => args.Count;
    public IReadOnlyList<object?> Values => args;

    public ModuleArgs(IReadOnlyList<object?> resolved, string where)
    {
        args = resolved;
        Where = where;
    }

    /// <exception cref="InvalidDataException">More than <paramref name="max"/> arguments, or fewer than <paramref name="min"/>.</exception>
    public void Expect(int min, int max, string signature)
    {
        if (args.Count < min || args.Count > max)
            throw new InvalidDataException($"{Where}: expected arguments {signature}, got {YamlValues.Format(args)}");
    }

    public bool Has(int i) => i < args.Count;

    public int Int(int i, int fallback, string name) => !Has(i) ? fallback : args[i] switch
    {
        int v => v,
        long v when v is >= int.MinValue and <= int.MaxValue => (int)v,
        bool b => b ? 1 : 0,
        double d when d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        var v => throw Bad(i, name, "an integer", v),
    };

    public int? OptionalInt(int i, string name) => !Has(i) || args[i] is null ? null : Int(i, 0, name);

    public double Double(int i, double fallback, string name) => !Has(i) ? fallback : args[i] switch
    {
        int v => v,
        long v => v,
        double d => d,
        var v => throw Bad(i, name, "a number", v),
    };

    public bool Bool(int i, bool fallback, string name) => !Has(i) ? fallback : args[i] switch
    {
        bool b => b,
        int v => v != 0,
        null => false,
        var v => throw Bad(i, name, "True or False", v),
    };

    public string String(int i, string fallback, string name) => !Has(i) ? fallback : args[i] switch
    {
        string s => s,
        var v => throw Bad(i, name, "a string", v),
    };

    /// <summary>A kernel given as k or [k1, k2] (Bottleneck's k=(3, 3)).</summary>
    public (int, int) Pair(int i, (int, int) fallback, string name)
    {
        if (!Has(i)) return fallback;
        if (args[i] is System.Collections.IList { Count: 2 } l && l[0] is int a && l[1] is int b) return (a, b);
        int k = Int(i, 0, name);
        return (k, k);
    }

    /// <exception cref="InvalidDataException">Always: argument <paramref name="i"/> is not what the module accepts.</exception>
    public InvalidDataException Bad(int i, string name, string expected, object? got) =>
        new($"{Where}: argument {i} ({name}) must be {expected}, got {YamlValues.Format(got)}");

    public InvalidDataException Error(string message) => new($"{Where}: {message}");

    public override string ToString() => string.Join(", ", args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)));
}
