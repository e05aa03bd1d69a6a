namespace Forge.Bench.Harness;

/// <summary>One key=value setting a benchmark accepts, with its default and a line of help.</summary>
public sealed record BenchKey(string Name, string Default, string Help);
