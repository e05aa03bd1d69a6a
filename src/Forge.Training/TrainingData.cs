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
/// The epoch order is a fresh shuffle each epoch, or with rect=true the images by aspect ratio every epoch, cut into
/// rectangular global batches (<see cref="PlanBatches"/>).
/// </summary>
public sealed class TrainingData
{
    readonly ForgeConfig cfg;
    readonly DataParallel ddp;
    readonly IIndexSampler epochOrder;
    readonly DetectionDataset dataset;
    readonly LoaderOptions loaderOptions;
    IReadOnlyList<PlannedBatch>? rectBatches;   // rect=true: the global batches with their shapes, once the model's stride is known

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
        epochOrder = cfg.Rect ? RectOrder(log) : new ShuffleSampler(Train.Count, cfg.Seed);
        var whole = new GlobalBatchShardSampler(epochOrder, cfg.Batch, ddp.Rank, ddp.WorldSize);
        (StepsPerEpoch, RankBatch) = (whole.GlobalSteps, whole.RankBatch);
        dataset = new DetectionDataset(Train, cfg.ImgSize, augment: true, cfg.Augment, cacheImages: cfg.CacheRam, cacheDisk: cfg.CacheDisk)
        {
            // Mosaic's extra images come from Ultralytics' buffer of recently loaded images, replayed from the global order.
            MosaicBuffer = cfg.Rect ? null : new MosaicBuffer(epochOrder, MosaicBuffer.CapacityFor(Train.Count, cfg.Batch)),
        };
        loaderOptions = new LoaderOptions { BatchSize = RankBatch, Workers = cfg.Workers, Prefetch = Math.Max(2, cfg.Workers), Seed = cfg.Seed };
    }

    /// <summary>rect=true: mosaic (and so mixup) never runs; each image is letterboxed alone to its batch's rectangle.</summary>
    public bool MosaicEnabled => !cfg.Rect;

    /// <summary>
    /// rect=true, as Ultralytics' trainer with rect=True: the images sorted by aspect ratio, the same order every epoch (its
    /// loader turns shuffle off with a warning), mosaic and mixup off (YOLODataset.build_transforms sets them to 0).
    /// </summary>
    FixedOrderSampler RectOrder(TextWriter log)
    {
        log.WriteLine("WARNING: rect=true is incompatible with shuffling the training images: they keep one order by aspect ratio " +
                      "every epoch (shuffle off), so that each batch holds images of similar shape");
        if (cfg.Augment.Mosaic > 0 || cfg.Augment.MixUp > 0)
            log.WriteLine($"rect=true: mosaic is off (mosaic={ForgeConfig.FormatValue(cfg.Augment.Mosaic)} is not used) and so is mixup: " +
                          "each image is letterboxed alone to its batch's rectangle");
        return new FixedOrderSampler(ValidationBatches.AspectOrder(Train));
    }

    /// <summary>
    /// Takes the model's largest stride for the training batches' shapes: with rect=true the global batches become
    /// rectangles of ceil(shape · imgsz / gs) · gs pixels, gs = max(stride, 32) and no extra pad (Ultralytics'
    /// build_yolo_dataset: pad 0.0 for train), planned as validation's (<see cref="ValidationBatches.Rect"/>). Call it before
    /// the first <see cref="Epoch"/>; without rect it changes nothing.
    /// </summary>
    public void PlanBatches(int stride, TextWriter log)
    {
        if (!cfg.Rect) return;
        rectBatches = ValidationBatches.Rect(Train, cfg.ImgSize, cfg.Batch, Math.Max(stride, 32), pad: 0.0);
        var shapes = rectBatches.Select(b => $"{b.Height}x{b.Width}").Distinct().ToList();
        log.WriteLine($"rect=true: {rectBatches.Count} training batches of {shapes.Count} shape{(shapes.Count == 1 ? "" : "s")} (height x width): {string.Join(", ", shapes)}");
    }

    /// <summary>True when some image of the split has a label (metrics need at least one).</summary>
    public static bool HasLabels(DatasetIndex index) => index.BackgroundCount < index.Count;

    /// <summary>This rank's share of the epoch's global batches from global step <paramref name="startStep"/> on (with rect=true each
    /// rank's slice of a batch has that batch's rectangle).</summary>
    public (GlobalBatchShardSampler Shard, BatchLoader Loader) Epoch(int startStep)
    {
        var shard = new GlobalBatchShardSampler(epochOrder, cfg.Batch, ddp.Rank, ddp.WorldSize, startStep * cfg.Batch);
        if (!cfg.Rect) return (shard, new BatchLoader(dataset, loaderOptions, shard));
        var planned = rectBatches ?? throw new InvalidOperationException("rect=true: PlanBatches(stride) comes before the first epoch");
        return (shard, new BatchLoader(dataset, loaderOptions, shard.RankBatches(planned)));
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
        if (cfg.CacheRam)
            log.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{split}: caching images ({index.CachedBytes / 1e9:0.000} GB RAM): {index.Count} images, long side {cfg.ImgSize} px"));
        return index;
    }
}
