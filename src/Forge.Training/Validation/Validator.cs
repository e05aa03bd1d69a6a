using System.Diagnostics;
using Forge.Core.Detection;
using Forge.Core.Metrics;
using Forge.Data.Datasets;
using Forge.Data.Inference;
using Forge.Data.Loading;
using Forge.Distributed;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Reporting;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Validation;

/// <summary>
/// Runs a detector over a dataset split as Ultralytics' validator does: rectangular batches by default (images sorted by
/// aspect ratio, each batch padded only to a stride multiple; square imgsz letterboxes with rect=false), small images
/// enlarged to imgsz, NMS (class-aware, multi-label, conf 0.001, IoU 0.7 by default), detections mapped back to original
/// pixels, Ultralytics' AP (or pycocotools' with <see cref="ApMethod.Coco"/>), P/R, confusion matrix and loss.
/// </summary>
public sealed class Validator
{
    readonly DatasetIndex index;
    readonly BatchLoader loader;
    readonly List<PlannedBatch> globalBatches;
    readonly int imgsz;
    readonly int shardImages;
    readonly NmsOptions nms;
    readonly int maxDetectionsPerImageForAp;
    readonly ApMethod apMethod;
    readonly Device device;
    readonly ICommunicator comm;
    readonly bool channelsLast;
    readonly long forwardPixels;

    /// <param name="batch">Images per validation batch (all ranks together: with several ranks each takes a slice of every batch).</param>
    /// <param name="rect">Rectangular batches (Ultralytics' default for validation); false: square imgsz letterboxes.</param>
    /// <param name="comm">With several ranks each validates a slice of every batch and the detections are gathered, so every
    /// rank computes the same metrics as a single process would.</param>
    /// <param name="maxDetectionsPerImageForAp">pycocotools' maxDets, used by <see cref="ApMethod.Coco"/> only.</param>
    /// <param name="channelsLast">Run the TorchSharp model channels_last (folded weights and images in NHWC strides), unless
    /// libtorch cannot run the model so on this CPU (<see cref="ChannelsLastSetting"/>: then NCHW, with a warning).</param>
    /// <param name="forwardPixels">The most pixels (images x height x width) one TorchSharp forward takes; a larger batch runs
    /// as several forwards, the same outputs and loss. Null: <see cref="CpuForwardPixels"/> on the CPU, the whole batch on
    /// CUDA; 0: the whole batch. (The ONNX Runtime path groups by <c>OnnxDetectorOptions.MaxRunPixels</c>.)</param>
    public Validator(DatasetIndex index, string[] names, int imgsz, int batch, int workers, Device device,
                     NmsOptions? nms = null, bool cacheImages = false, int maxDetectionsPerImageForAp = 100, ICommunicator? comm = null,
                     bool rect = true, ApMethod apMethod = ApMethod.Ultralytics, int stride = 32, bool cacheDisk = false,
                     bool channelsLast = false, long? forwardPixels = null)
    {
        if (names.Length == 0) throw new ArgumentException("no class names", nameof(names));
        this.index = index;
        this.imgsz = imgsz;
        this.device = device;
        this.apMethod = apMethod;
        this.channelsLast = channelsLast;
        this.forwardPixels = forwardPixels ?? (device.type == DeviceType.CPU ? CpuForwardPixels : 0);
        this.comm = comm ?? new SingleProcessCommunicator();
        this.nms = nms ?? new NmsOptions(ConfThreshold: 0.001f, IouThreshold: 0.7f, MaxDetections: 300, MultiLabel: true);
        this.maxDetectionsPerImageForAp = maxDetectionsPerImageForAp;
        globalBatches = rect ? ValidationBatches.Rect(index, imgsz, batch, stride) : ValidationBatches.Square(index.Count, imgsz, batch);
        var mine = ValidationBatches.Shard(globalBatches, this.comm.Rank, this.comm.WorldSize);
        shardImages = mine.Sum(b => b.Size);
        var dataset = new DetectionDataset(index, imgsz, augment: false, cacheImages: cacheImages, cacheDisk: cacheDisk);
        loader = new BatchLoader(dataset, new LoaderOptions { BatchSize = batch, Workers = workers, Prefetch = 2 }, mine);
    }

    public int ImageCount => index.Count;
    /// <summary>Images this rank validates (its shard; all of them with one process).</summary>
    public int ShardSize => shardImages;
    /// <summary>Image arrays the validation loader holds for reuse: none between passes.</summary>
    internal int LoaderArraysHeld => loader.Pool.Available;

    /// <summary>Validates <paramref name="model"/> (switched to eval mode for the pass and back afterwards). Collective: every rank calls it.</summary>
    /// <param name="loss">When given, the validation loss is computed too (as in training, on letterboxed targets).</param>
    /// <param name="bfloat16">Run the forward in bfloat16 autocast (<see cref="Autocast"/>; the head's outputs, decode, NMS and
    /// the loss stay float32). The trainer asks for it with amp=bf16, as Ultralytics' validator runs in float16 during AMP
    /// training ("force FP16 val during training", ultralytics/engine/validator.py) and in full precision afterwards.</param>
    public ValidationResult Run(YoloDetector model, DetectionLoss? loss = null, TextWriter? log = null, string progressPrefix = "", bool bfloat16 = false)
    {
        bool wasTraining = model.training;
        model.eval();
        bool nhwc = ChannelsLastSetting.Resolve(channelsLast, model, device, log);
        using var fused = model.FuseForInference(nhwc);   // BatchNorm folded into the convolutions for this pass
        var lossSum = new double[4];   // box, cls, dfl, batches
        try
        {
            using var _ = no_grad();
            float[]? decoded = null;   // each batch's decoded output, reused by the next (read before it)
            return RunPass(model.NumClasses, (batch, infer) =>
            {
                using var scope = NewDisposeScope();
                var images = BatchTensors.Images(batch, device);
                Tensor raw;
                using (bfloat16 ? Autocast.BFloat16() : null)
                    raw = Forward(model, nhwc ? ChannelsLast.Of(images) : images, PixelBudget.ImagesPerRun(forwardPixels, batch.Size, batch.Height, batch.Width));
                int count = HostArrays.CopyFloats(model.Decode(raw, batch.Height, batch.Width).to(CPU), ref decoded);
                infer.Stop();
                if (loss is not null)
                {
                    using var targets = BatchTensors.Targets(batch, device);
                    var (_, items) = loss.Compute(raw, targets, batch.Height, batch.Width);
                    lossSum[0] += items.Box; lossSum[1] += items.Cls; lossSum[2] += items.Dfl; lossSum[3] += 1;
                }
                return new ArraySegment<float>(decoded!, 0, count);
            }, lossSum, log, progressPrefix);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>The CPU default of the most pixels (images x height x width) one TorchSharp validation forward takes: 32 images
    /// at 320, 8 at 640. Larger batches run as several forwards: on a 2-core VM, forge val of YOLOv8n on COCO128 at 640
    /// batch 16 in forwards of 8 images took 57 against 63-72 ms per image with peak RSS 1.38 against 1.68-1.73 GB, at 416
    /// batch 32 35 against 38-40 ms and 1.18-1.20 against 1.43-1.52 GB; at 320, forwards of 16 images were slower than the
    /// whole batch of 32 (bench/README.md, twelfth session).</summary>
    public const long CpuForwardPixels = 32L * 320 * 320;

    /// <summary>The raw head output of <paramref name="images"/> (batch, 3, H, W) from forwards of at most <paramref name="chunk"/>
    /// images, concatenated in order: each image's output is the one a forward of the whole batch gives (eval mode: no
    /// statistics cross images), up to float32 summation order.</summary>
    static Tensor Forward(YoloDetector model, Tensor images, int chunk)
    {
        if (chunk >= images.shape[0]) return model.forward(images);
        using var scope = NewDisposeScope();
        var parts = images.split(chunk, 0).Select(part => model.forward(part)).ToArray();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Validates a detector behind <paramref name="backend"/> (an ONNX Runtime session, say): same batches, pre- and
    /// post-processing and metrics as the TorchSharp path, no loss. Collective: every rank calls it.</summary>
    /// <exception cref="ArgumentException">The backend takes one fixed size and the batches are planned otherwise (build
    /// the validator with rect=false and imgsz at that size), or it needs another stride than the batches were padded to.</exception>
    public ValidationResult Run(IDetectionBackend backend, TextWriter? log = null, string progressPrefix = "")
    {
        CheckShapes(backend);
        // The backend takes [0, 1] floats: each batch's bytes are converted into the start of one array kept for the pass
        // (backends read only the batch's floats of a longer array), as its decoded output goes into one array: rectangular
        // batches come in many lengths, and a fresh array per length cost its page faults (bench/README.md, twelfth session).
        float[]? images = null, decoded = null;
        return RunPass(backend.NumClasses, (batch, infer) =>
        {
            if (images is null || images.Length < batch.Images.Length) images = GC.AllocateUninitializedArray<float>(batch.Images.Length);
            Collate.ToUnit(batch.Images, images);
            int count = backend.Forward(images, batch.Size, batch.Height, batch.Width, ref decoded, out _);
            return new ArraySegment<float>(decoded!, 0, count);
        }, new double[4], log, progressPrefix);
    }

    void CheckShapes(IDetectionBackend backend)
    {
        foreach (var b in globalBatches)
        {
            if (backend.FixedInputSize is { } size && (b.Height != size.Height || b.Width != size.Width))
                throw new ArgumentException($"the model takes {size.Height}x{size.Width} images only, the validation batches are " +
                                            $"{b.Height}x{b.Width}: validate with rect=false and imgsz={size.Height}, or export with dynamic=true");
            if (b.Height % backend.Stride != 0 || b.Width % backend.Stride != 0)
                throw new ArgumentException($"{b.Height}x{b.Width} validation batches are not a multiple of the model's stride {backend.Stride}");
        }
    }

    /// <summary>One pass over this rank's batches: <paramref name="infer"/> turns a batch into its decoded output (stopping
    /// the inference clock itself if it does more; its array may be reused for the next batch once this one is read), then NMS
    /// and mapping back, gathering across ranks and the metrics.</summary>
    ValidationResult RunPass(int nc, Func<Batch, Stopwatch, ArraySegment<float>> infer, double[] lossSum, TextWriter? log, string progressPrefix)
    {
        var pre = new Stopwatch(); var inferClock = new Stopwatch(); var post = new Stopwatch();
        var bar = log is null ? null : new ProgressBar(loader.BatchesPerEpoch, log);
        var mine = new List<ImageResult>(shardImages);
        int done = 0;
        pre.Start();
        try
        {
            foreach (var batch in loader.Epoch(0, mosaicEnabled: false))
            {
                using var b = batch;
                pre.Stop();
                inferClock.Start();
                var all = infer(batch, inferClock);
                inferClock.Stop();

                post.Start();
                int perImage = all.Count / batch.Size, anchors = perImage / (4 + nc);
                for (int i = 0; i < batch.Size; i++)
                    mine.Add(new ImageResult(IndexOf(batch.Infos[i]), DetectionPostprocess.Run(all.AsSpan(i * perImage, perImage), anchors, nc, nms, batch.Infos[i])));
                post.Stop();
                bar?.Update(++done, progressPrefix);
                pre.Start();
            }
        }
        finally
        {
            // Rectangular batches come in many shapes, each with arrays of its own length: none is kept until the next pass.
            loader.Pool.Clear();
        }
        pre.Stop();

        var results = comm.WorldSize == 1 ? mine : comm.AllGatherBytes(ImageResult.Pack(mine)).SelectMany(p => ImageResult.Unpack(p)).ToList();
        var (metrics, confusion) = Evaluate(results, nc);
        comm.AllReduceSum(lossSum);
        double n = Math.Max(1, shardImages);
        return new ValidationResult(metrics, confusion,
            lossSum[3] == 0 ? new LossItems(0, 0, 0) : new LossItems((float)(lossSum[0] / lossSum[3]), (float)(lossSum[1] / lossSum[3]), (float)(lossSum[2] / lossSum[3])),
            pre.Elapsed.TotalMilliseconds / n, inferClock.Elapsed.TotalMilliseconds / n, post.Elapsed.TotalMilliseconds / n);
    }

    Dictionary<string, int>? _indexByPath;

    int IndexOf(ImageInfo info)
    {
        _indexByPath ??= index.Items.Select((item, i) => (item.ImagePath, i)).ToDictionary(p => p.ImagePath, p => p.i);
        return _indexByPath[info.Path];
    }

    /// <summary>
    /// Scores the gathered detections image by image in the order one process's loader visits them (every rank computes
    /// the same): Ultralytics' ground truth and AP, or pycocotools' with exact boxes and crowd regions.
    /// </summary>
    (DetectionMetrics, ConfusionMatrix) Evaluate(List<ImageResult> results, int nc)
    {
        var byIndex = results.ToDictionary(r => r.Index, r => r.Detections);
        var confusion = new ConfusionMatrix(nc);
        var ultralytics = apMethod == ApMethod.Ultralytics ? new UltralyticsEvaluator(nc) : null;
        var coco = apMethod == ApMethod.Coco ? new DetectionEvaluator(nc, maxDetectionsPerImageForAp) : null;
        foreach (var planned in globalBatches)
            foreach (int i in planned.Indices)
            {
                var item = index.Items[i];
                var dets = byIndex[i];
                var gts = GroundTruth.Ultralytics(item, imgsz, planned.Width, planned.Height);
                confusion.Process(dets, gts);
                ultralytics?.AddImage(dets, gts);
                coco?.AddImage(dets, GroundTruth.Exact(item), item.Crowd);
            }
        return (ultralytics?.Compute() ?? coco!.Compute(), confusion);
    }

    /// <summary>Ultralytics-style table: overall row, then one row per class with instances when <paramref name="perClass"/>.</summary>
    public static void PrintTable(TextWriter w, DetectionMetrics m, string[] names, bool perClass)
    {
        w.WriteLine($"{"Class",22}{"Images",11}{"Instances",11}{"Box(P",11}{"R",11}{"mAP50",11}{"mAP50-95)",11}");
        w.WriteLine(Row("all", m.ImageCount, m.InstanceCount, m.Precision, m.Recall, m.Map50, m.Map50To95));
        if (!perClass) return;
        for (int c = 0; c < names.Length; c++)
        {
            if (m.InstancesPerClass[c] == 0) continue;
            w.WriteLine(Row(names[c], m.ImagesPerClass[c], m.InstancesPerClass[c], m.PrecisionPerClass[c], m.RecallPerClass[c], m.Ap50PerClass[c], m.Ap50To95PerClass[c]));
        }
    }

    static string Row(string name, int images, int instances, double p, double r, double m50, double m5095) =>
        $"{name,22}{images,11}{instances,11}{p,11:0.000}{r,11:0.000}{m50,11:0.000}{m5095,11:0.000}";
}
