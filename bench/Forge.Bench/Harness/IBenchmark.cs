namespace Forge.Bench.Harness;

/// <summary>One named benchmark of forge-bench.</summary>
public interface IBenchmark
{
    string Name { get; }
    /// <summary>One line for 'forge-bench list'.</summary>
    string Summary { get; }
    /// <summary>The key=value settings it reads (the common ones, threads= and nproc=, are added by the harness).</summary>
    IReadOnlyList<BenchKey> Keys { get; }
    /// <summary>Fewest ranks it needs; below that the harness prints how to launch it instead of running.</summary>
    int MinRanks => 1;
    /// <summary>Runs on every rank; returns the process exit code.</summary>
    int Run(BenchContext context);
}
