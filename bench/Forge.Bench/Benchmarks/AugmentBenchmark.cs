using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forge.Bench.Harness;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Training;
using OpenCvSharp;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// The training transform on a real dataset, sample by sample as the trainer builds them (epoch order, mosaic buffer,
/// close_mosaic): samples/s on one thread, box statistics per phase, and optionally every sample's labels as JSON lines in
/// the format of scripts/reference/dump_ultralytics_samples.py, so the two pipelines' outputs can be compared
/// (scripts/reference/compare_samples.py).
/// </summary>
public sealed class AugmentBenchmark : IBenchmark
{
    public string Name => "augment";
    public string Summary => "training samples of a data.yaml (mosaic buffer, close_mosaic): samples/s, box statistics, optional JSON-lines dump";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("data", "", "a data.yaml (required)"),
        new("imgsz", "416", "training image size"),
        new("batch", "16", "global batch (sets the mosaic buffer's length, min(n, 8 batch, 1000))"),
        new("epochs", "3", "epochs to build"),
        new("close_mosaic", "0", "last epochs without mosaic"),
        new("seed", "0", "seed"),
        new("out", "", "JSON-lines file to write every sample's labels to (empty: none)"),
        new("images", "", "folder to write the first `first=` samples to as PNG, as built (no boxes drawn), f_<epoch>_<pos>_<index>.png"),
        new("first", "16", "how many samples images= writes, counted over all epochs"),
        new("recent", "true", "keep the mosaic buffer's images decoded in memory, as Ultralytics does (false decodes every load)"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        if (a.String("data").Length == 0) throw new BenchUsageException("data= is required (a data.yaml)");
        int imgsz = a.Int("imgsz"), batch = a.Int("batch"), epochs = a.Int("epochs"), close = a.Int("close_mosaic"), seed = a.Int("seed");
        var spec = DatasetResolver.Load(a.String("data"));
        var index = DatasetIndex.Build(spec.Train, spec.Names.Length, new DataIssueLog(TextWriter.Null), "train", cocoImages: spec.CocoImagesFor);
        var order = new ShuffleSampler(index.Count, seed);
        var dataset = new DetectionDataset(index, imgsz, augment: true)
        {
            MosaicBuffer = new MosaicBuffer(order, MosaicBuffer.CapacityFor(index.Count, batch)),
        };
        if (!a.Bool("recent")) dataset.MosaicBuffer = null;   // uniform partners, every image decoded on each load
        long decoded = 0;
        using var dump = a.String("out").Length > 0 ? new StreamWriter(a.String("out")) : null;
        string images = a.String("images");
        int first = a.Int("first"), written = 0;
        if (images.Length > 0) Directory.CreateDirectory(images);
        o.WriteLine($"method: {index.Count} images of {a.String("data")}, {epochs} epochs in the trainer's order, each sample built on this thread and timed");
        var table = new TextTable("epoch", "mosaic", "samples/s", "boxes/sample", "median box side px", "grey fraction", "decodes/sample");
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            bool mosaic = epoch < epochs - close;
            var clock = Stopwatch.StartNew();
            var sides = new List<double>();
            double grey = 0;
            var indices = order.EpochIndices(epoch);
            for (int pos = 0; pos < indices.Length; pos++)
            {
                using var s = dataset.GetSample(indices[pos], epoch, seed, mosaic);
                foreach (var b in s.Boxes) sides.Add(Math.Sqrt(Math.Max(0, b.Width * b.Height)));
                double g = GreyFraction(s.Image);
                grey += g;
                dump?.WriteLine(JsonLine(epoch, pos, indices[pos], s, g));
                if (images.Length > 0 && written++ < first)
                    Cv2.ImWrite(Path.Combine(images, $"f_{epoch}_{pos}_{indices[pos]}.png"), s.Image);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            sides.Sort();
            table.Add(epoch, mosaic, (indices.Length / seconds).ToString("F0", CultureInfo.InvariantCulture),
                ((double)sides.Count / indices.Length).ToString("F2", CultureInfo.InvariantCulture),
                (sides.Count > 0 ? sides[sides.Count / 2] : 0).ToString("F1", CultureInfo.InvariantCulture),
                (grey / indices.Length).ToString("F3", CultureInfo.InvariantCulture),
                dataset.RecentImages is { } r ? ((r.Misses - decoded) / (double)indices.Length).ToString("F2", CultureInfo.InvariantCulture) : "all");
            decoded = dataset.RecentImages?.Misses ?? 0;
        }
        table.Write(o);
        return 0;
    }

    static double GreyFraction(Mat image)
    {
        using var mask = new Mat();
        Cv2.InRange(image, new Scalar(114, 114, 114), new Scalar(114, 114, 114), mask);
        return Cv2.CountNonZero(mask) / (double)(image.Width * image.Height);
    }

    static string JsonLine(int epoch, int pos, int index, LabeledSample s, double grey)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{{\"epoch\": {epoch}, \"pos\": {pos}, \"index\": {index}, \"w\": {s.Image.Width}, \"h\": {s.Image.Height}, \"boxes\": [");
        for (int i = 0; i < s.Boxes.Length; i++)
        {
            var b = s.Boxes[i];
            sb.Append(inv, $"{(i > 0 ? ", " : "")}[{s.Classes[i]}, {b.X1:R}, {b.Y1:R}, {b.X2:R}, {b.Y2:R}]");
        }
        var mean = Cv2.Mean(s.Image);
        sb.Append(inv, $"], \"mean\": [{mean.Val0:R}, {mean.Val1:R}, {mean.Val2:R}], \"grey\": {grey:R}}}");
        return sb.ToString();
    }
}
