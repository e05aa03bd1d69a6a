namespace Forge.Training;

/// <summary>One finished epoch as <see cref="TrainerOptions.EpochEnded"/> reports it.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainSeconds">Wall time of the training steps (from the epoch's start to the end of its last optimizer step), seconds.</param>
/// <param name="TrainImages">Images trained in the epoch, over all ranks.</param>
/// <param name="ValSeconds">Wall time of the epoch's validation, seconds (0 when it did not validate).</param>
/// <param name="ValImages">Images validated (0 when it did not validate).</param>
/// <param name="ResidentMegabytes">Resident memory of this process after the epoch (the results row's mem/rss_mb), MiB.</param>
/// <param name="Map50">mAP at IoU 0.5 of the epoch's validation, or null.</param>
/// <param name="Map50To95">mAP over IoU 0.5:0.95, or null.</param>
/// <param name="LoaderWaitSeconds">Of <paramref name="TrainSeconds"/>, the time the loop waited for the loader's batches, seconds.</param>
/// <param name="Memory">Who holds the memory after the epoch (managed heap, native in use, native free but held), or null.</param>
public sealed record EpochReport(int Epoch, double TrainSeconds, int TrainImages, double ValSeconds, int ValImages,
    double ResidentMegabytes, double? Map50, double? Map50To95, double LoaderWaitSeconds = 0, MemoryBreakdown? Memory = null);
