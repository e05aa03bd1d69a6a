namespace Forge.Data.Loading;

/// <summary>Batch loader settings. Batch size and workers come from the caller's settings (batch, workers): no defaults here.</summary>
public sealed record LoaderOptions
{
    public required int BatchSize { get; init; }
    /// <summary>Threads building samples; 0 builds them on the consuming thread.</summary>
    public required int Workers { get; init; }
    /// <summary>How many batches (the one being consumed excluded) may be built ahead of the consumer.</summary>
    public int Prefetch { get; init; } = 2;
    /// <summary>Seeds every sample's augmentation together with the epoch and sample index.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>Leave out a last, smaller batch.</summary>
    public bool DropLast { get; init; } = false;

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be positive");
        if (Workers < 0) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "workers must not be negative");
        if (Prefetch < 1) throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "prefetch must be at least 1");
    }
}
