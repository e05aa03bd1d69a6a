namespace Forge.Bench.Harness;

/// <summary>One key=value setting a benchmark accepts, with its default and a line of help.</summary>
/// <param name="Choices">When given, the only values accepted (checked before the benchmark starts).</param>
public sealed record BenchKey(string Name, string Default, string Help, string[]? Choices = null);
