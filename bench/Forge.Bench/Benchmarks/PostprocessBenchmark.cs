using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Core.Detection;
using Forge.Core.Metrics;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Non-maximum suppression per image, with validation settings (conf 0.001, multi-label) and prediction settings (conf 0.25,
/// best class), and the COCO-style DetectionEvaluator (AddImage per image, Compute once) fed with the validation NMS output.
/// </summary>
public sealed class PostprocessBenchmark : IBenchmark
{
    public string Name => "postprocess";
    public string Summary => "NMS per image (val and predict settings) and DetectionEvaluator AddImage/Compute on realistic synthetic head outputs";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("cases", "160:6:4,640:80:8", "imgsz:classes:objects per case (shapes demo size; COCO-like 640 with 80 classes)"),
        new("images", "100", "distinct images per case"),
        new("rounds", "5", "timed rounds over all images"),
        new("warmup", "1", "untimed rounds first"),
        new("noise", "0.005", "background score scale (score = noise x u^3); larger gives more candidates at conf 0.001"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        int images = a.Int("images"), rounds = a.Int("rounds"), warmup = a.Int("warmup");
        float noise = (float)a.Double("noise");
        if (images < 1 || rounds < 1 || warmup < 0) throw new BenchUsageException("images and rounds must be >= 1, warmup >= 0");
        var valNms = new NmsOptions(ConfThreshold: 0.001f, IouThreshold: 0.7f, MaxDetections: 300, MultiLabel: true);
        var predictNms = new NmsOptions();
        o.WriteLine("method: synthetic head outputs of a partly trained detector (every anchor: small box, background scores noise x u^3 per class;");
        o.WriteLine("        anchors near each object's centre: a jittered copy of its box, a high score for its class, 0.3x for a confusable one).");
        o.WriteLine($"        NMS is timed per image call ({warmup} warm-up + {rounds} timed rounds over {images} images); the evaluator gets the");
        o.WriteLine("        validation-setting detections and the objects as ground truth; AddImage is timed per round over all images, Compute once per round.");
        o.WriteLine($"        val NMS: conf {valNms.ConfThreshold}, iou {valNms.IouThreshold}, max_det {valNms.MaxDetections}, multi-label, at most {valNms.MaxCandidates} candidates; predict NMS: conf {predictNms.ConfThreshold}, best class only.");
        o.WriteLine();

        var nmsTable = new TextTable("imgsz", "classes", "anchors", "setting", "candidates/img", "kept/img", "us/image", "images/s");
        var evalTable = new TextTable("imgsz", "classes", "images", "dets/img", "gt/img", "AddImage us/img", "Compute ms", "total ms", "mAP50-95", "mAP50");
        foreach (var (imgsz, classes, objects) in ParseCases(a.List("cases")))
        {
            var scenes = new SyntheticPredictions[images];
            for (int i = 0; i < images; i++) scenes[i] = new SyntheticPredictions(imgsz, classes, objects, noise, seed: 1000 * imgsz + i);
            int anchors = scenes[0].NumAnchors;
            List<Detection>[] valDetections = new List<Detection>[images];
            foreach (var (label, options) in new[] { ("val", valNms), ("predict", predictNms) })
            {
                var micros = new List<double>(rounds * images);
                long kept = 0;
                for (int r = 0; r < warmup + rounds; r++)
                    for (int i = 0; i < images; i++)
                    {
                        long t = Stopwatch.GetTimestamp();
                        var dets = NonMaxSuppression.Run(scenes[i].Values, anchors, classes, options);
                        double us = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                        if (r < warmup) continue;
                        micros.Add(us);
                        kept += dets.Count;
                        if (label == "val") valDetections[i] = dets;
                    }
                double candidates = scenes.Average(s => Candidates(s, options));
                var perImage = Harness.Summary.Of(micros);
                nmsTable.Add(imgsz, classes, anchors, label, $"{candidates:F0}", $"{kept / (double)(rounds * images):F1}", perImage.Format("F0"),
                    Harness.Summary.Of(micros.Select(us => 1e6 / us).ToArray()).Format("F0"));
            }

            var add = new List<double>(); var compute = new List<double>(); var total = new List<double>();
            DetectionMetrics? metrics = null;
            for (int r = 0; r < warmup + rounds; r++)
            {
                var evaluator = new DetectionEvaluator(classes, maxDetectionsPerImage: 100);
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < images; i++) evaluator.AddImage(valDetections[i], scenes[i].GroundTruth);
                long t1 = Stopwatch.GetTimestamp();
                metrics = evaluator.Compute();
                long t2 = Stopwatch.GetTimestamp();
                if (r < warmup) continue;
                add.Add((t1 - t0) * 1e6 / Stopwatch.Frequency / images);
                compute.Add((t2 - t1) * 1e3 / Stopwatch.Frequency);
                total.Add((t2 - t0) * 1e3 / Stopwatch.Frequency);
            }
            evalTable.Add(imgsz, classes, images, $"{valDetections.Average(d => d.Count):F0}", $"{scenes.Average(s => s.GroundTruth.Count):F1}",
                Harness.Summary.Of(add).Format("F0"), Harness.Summary.Of(compute).Format("F1"), Harness.Summary.Of(total).Format("F1"),
                $"{metrics!.Map50To95:F3}", $"{metrics.Map50:F3}");
        }
        o.WriteLine("NMS (median (p10-p90) over calls):");
        nmsTable.Write(o);
        o.WriteLine();
        o.WriteLine("DetectionEvaluator (median (p10-p90) over rounds; mAP shows the inputs are neither trivial nor hopeless):");
        evalTable.Write(o);
        return 0;
    }

    /// <summary>Anchor-class pairs (multi-label) or anchors (best class) above the confidence threshold.</summary>
    static int Candidates(SyntheticPredictions s, NmsOptions options)
    {
        int a = s.NumAnchors, count = 0;
        for (int i = 0; i < a; i++)
        {
            float best = 0;
            for (int c = 0; c < s.NumClasses; c++)
            {
                float v = s.Values[(4 + c) * a + i];
                if (options.MultiLabel && v > options.ConfThreshold) count++;
                best = Math.Max(best, v);
            }
            if (!options.MultiLabel && best > options.ConfThreshold) count++;
        }
        return count;
    }

    static IEnumerable<(int ImageSize, int Classes, int Objects)> ParseCases(string[] cases)
    {
        foreach (var c in cases)
        {
            var p = c.Split(':');
            if (p.Length != 3 || !int.TryParse(p[0], out int s) || !int.TryParse(p[1], out int n) || !int.TryParse(p[2], out int k) || s < 32 || s % 32 != 0 || n < 1 || k < 0)
                throw new BenchUsageException($"cases: '{c}' is not imgsz:classes:objects (imgsz a multiple of 32, classes >= 1)");
            yield return (s, n, k);
        }
    }
}
