using Forge.Core.Config;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Training.Checkpoints;
using Forge.Training.Validation;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// The data side of a run: the verified train and val indexes (problems reported once on rank 0), their fingerprint, the
/// augmenting training dataset, and per epoch this rank's share of every global batch (<see cref="GlobalBatchShardSampler"/>).
/// </summary>
public sealed class TrainingData
{
    readonly ForgeConfig cfg;
    readonly DataParallel ddp;
    readonly ShuffleSampler epochOrder;
    readonly DetectionDataset dataset;
    readonly LoaderOptions loaderOptions;

    public string[] Names { get; }
    public DatasetIndex Train { get; }
    public DatasetIndex? Val { get; }
    public DataFingerprint Fingerprint { get; }
    /// <summary>Global batches in a whole epoch (nb): the same on every rank.</summary>
    public int StepsPerEpoch { get; }
    /// <summary>Images per rank in a full global batch.</summary>
    public int RankBatch { get; }

    public TrainingData(DatasetSpec spec, ForgeConfig cfg, DataParallel ddp, TextWriter log)
    {
        (this.cfg, this.ddp) = (cfg, ddp);
        Names = DatasetSelection.Names(spec.Names, cfg);
        Train = DatasetSelection.Apply(BuildIndex(spec.Train, "train", spec, log), cfg, training: true, log);
        Val = spec.Val.Count > 0 ? DatasetSelection.Apply(BuildIndex(spec.Val, "val", spec, log), cfg, training: false, log) : null;
        if (Val is { } val && !HasLabels(val))
        {
            // Ultralytics warns the same way: with no labels, P, R and mAP are not zero but undefined.
            log.WriteLine($"WARNING: the val split has no labels ({val.Count} images, all backgrounds): metrics cannot be computed, so training " +
                          "goes on without validation (best.safetensors = lowest training loss). Put YOLO label files in labels/ beside images/.");
            Val = null;
        }
        Fingerprint = new DataFingerprint(Train.Fingerprint, Val?.Fingerprint, Train.Count, Val?.Count ?? 0);
        epochOrder = new ShuffleSampler(Train.Count, cfg.Seed);
        var whole = new GlobalBatchShardSampler(epochOrder, cfg.Batch, ddp.Rank, ddp.WorldSize);
        (StepsPerEpoch, RankBatch) = (whole.GlobalSteps, whole.RankBatch);
        dataset = new DetectionDataset(Train, cfg.ImgSize, augment: true, cfg.Augment, cacheImages: cfg.CacheRam, cacheDisk: cfg.CacheDisk)
        {
            // Mosaic's extra images come from Ultralytics' buffer of recently loaded images, replayed from the global order.
            MosaicBuffer = new MosaicBuffer(epochOrder, MosaicBuffer.CapacityFor(Train.Count, cfg.Batch)),
        };
        loaderOptions = new LoaderOptions { BatchSize = RankBatch, Workers = cfg.Workers, Prefetch = Math.Max(2, cfg.Workers), Seed = cfg.Seed };
    }

    /// <summary>True when some image of the split has a label (metrics need at least one).</summary>
    public static bool HasLabels(DatasetIndex index) => index.BackgroundCount < index.Count;

    /// <summary>This rank's share of the global batches of <paramref name="epoch"/> from global step <paramref name="startStep"/> on.</summary>
    public (GlobalBatchShardSampler Shard, BatchLoader Loader) Epoch(int startStep)
    {
        var shard = new GlobalBatchShardSampler(epochOrder, cfg.Batch, ddp.Rank, ddp.WorldSize, startStep * cfg.Batch);
        return (shard, new BatchLoader(dataset, loaderOptions, shard));
    }

    /// <summary>
    /// The validator over the val split, or null without one: as Ultralytics' trainer, rectangular batches of twice the
    /// training batch (all ranks together; each rank takes a slice of every batch), padded to a multiple of the model's
    /// largest <paramref name="stride"/>, scored with ap_method=.
    /// </summary>
    public Validator? CreateValidator(Device device, int stride) => Val is null ? null
        : new Validator(Val, Names, cfg.ImgSize, cfg.Batch * 2, cfg.Workers, device, cfg.ValidationNms(), cacheImages: cfg.CacheRam,
                        comm: ddp.Communicator, rect: true, apMethod: cfg.ValidationApMethod(), stride: stride, cacheDisk: cfg.CacheDisk,
                        channelsLast: cfg.ChannelsLast);

    DatasetIndex BuildIndex(IReadOnlyList<string> sources, string split, DatasetSpec spec, TextWriter log)
    {
        var issues = new DataIssueLog(log);
        var index = DatasetIndex.Build(sources, spec.Names.Length, issues, split, threads: 0, cacheImageSize: cfg.CacheRam ? cfg.ImgSize : 0,
                                       cocoImages: spec.CocoImagesFor, requireLabels: split == "train");
        log.WriteLine(issues.Summary().StartsWith(split, StringComparison.Ordinal) ? issues.Summary() : $"{split}: {issues.Summary()}");
        if (index.Count == 0) throw new InvalidDataException($"{split}: no usable images in {string.Join(", ", sources)}");
        return index;
    }
}
