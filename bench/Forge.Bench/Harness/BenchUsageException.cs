namespace Forge.Bench.Harness;

/// <summary>A mistake in how a benchmark was asked for (unknown name or key, bad value); printed without a stack trace.</summary>
public sealed class BenchUsageException(string message) : Exception(message);
