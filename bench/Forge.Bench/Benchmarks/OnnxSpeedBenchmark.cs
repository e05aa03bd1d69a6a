using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Core.Detection;
using Forge.Data.Imaging;
using Forge.Data.Loading;
using Forge.Deploy;
using Forge.Export;
using Forge.Training.Prediction;
using OpenCvSharp;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// Predict speed, ONNX Runtime against TorchSharp: the whole per-image predict step (letterbox, forward, NMS, boxes back to
/// the image) and the forward alone, ms per image at batch 1, with the same intra-op thread count on both sides.
/// </summary>
public sealed class OnnxSpeedBenchmark : IBenchmark
{
    public string Name => "onnx-speed";
    public string Summary => "predict ms/image at 640, ONNX Runtime vs TorchSharp, with 1 and 2 threads (letterbox + forward + NMS; forward alone)";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("models", "yolov8n", "models (yolov8n..x, yolo11n..x)"),
        new("imgsz", "640", "input size"),
        new("thread_counts", "1,2", "intra-op threads for both runtimes, one row each"),
        new("images", "20", "timed images per row (COCO128 val photos, or noise)"),
        new("warmup", "3", "untimed images at the start of each block"),
        new("rounds", "2", "blocks per runtime, alternating (ONNX Runtime then TorchSharp, then the other way round, ...)"),
        new("dynamic", "true", "true: dynamic export, both runtimes letterbox the minimal stride-multiple rectangle (like for like); false: fixed-size export, ONNX Runtime gets imgsz squares"),
        new("weights", "auto", "auto: the COCO YOLOv8n fixture for yolov8n when found, seeded random weights otherwise; random; or a .safetensors path"),
        new("channels_last", "true", "TorchSharp's layout, as forge predict's channels_last setting (on a CPU where it computes wrongly: NCHW, as predict does)"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        int size = a.Int("imgsz"), count = a.Int("images"), warmup = a.Int("warmup");
        if (size < 32 || size % 32 != 0 || count < 1 || warmup < 0 || a.Int("rounds") < 1)
            throw new BenchUsageException("imgsz a multiple of 32, images >= 1, warmup >= 0, rounds >= 1");
        var photos = OnnxWorkload.Photos();
        bool dynamic = a.Bool("dynamic");
        var images = photos.Length > 0
            ? photos.Take(count + warmup).Select(ImageFile.Read).ToArray()
            : Enumerable.Range(0, count + warmup).Select(i => Noise(size, i)).ToArray();
        try { return Measure(ctx, images, photos.Length > 0, size, count, warmup, dynamic); }
        finally { foreach (var image in images) image.Dispose(); }
    }

    int Measure(BenchContext ctx, Mat[] images, bool photos, int size, int count, int warmup, bool dynamic)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        int rounds = a.Int("rounds");
        o.WriteLine("method: per image, predict = Predictor.Predict (letterbox, forward, NMS conf 0.25, map back) timed end to end; forward = the");
        o.WriteLine($"        backend's Forward on the letterboxed input alone. Each runtime runs a block of its own ({warmup} warm-up + {count} timed images,");
        o.WriteLine($"        {(photos ? "COCO128 val photos" : "noise")}), {rounds} block(s) each, alternating so load changes hit both alike; not image by image: each");
        o.WriteLine("        runtime's worker threads still spin after its forward and slowed the other's next image by 20-60% on 2 cores.");
        o.WriteLine("        threads = ONNX Runtime intra-op threads and torch.set_num_threads.");
        o.WriteLine(dynamic ? "        Dynamic export: both runtimes letterbox each image to the minimal stride-multiple rectangle; forward alone on the imgsz square."
                            : "        Fixed-size export: ONNX Runtime letterboxes to the imgsz square, TorchSharp to the minimal rectangle; forward alone on the imgsz square.");
        o.WriteLine("        ONNX Runtime: CPU execution provider, graph optimisation level all; TorchSharp: eval, no_grad, float32, as forge predict runs it:");
        o.WriteLine("        BatchNorm folded once per block (IDetectionBackend.BeginRun), channels_last as the setting resolves on this CPU.");
        o.WriteLine();
        var table = new TextTable("model", "weights", "imgsz", "threads", "runtime", "predict ms/image", "forward ms/image", "speed-up (predict)");
        foreach (var name in a.List("models"))
        {
            var (model, names, weights) = OnnxWorkload.Load(name, a.String("weights"), seed: 1);
            using var ownedModel = model;
            var path = OnnxWorkload.ExportPath(model.Scale.Name);
            OnnxWorkload.Export(model, names, new OnnxExportOptions { ImageHeight = size, ImageWidth = size, Dynamic = dynamic }, path);
            foreach (int threads in a.Ints("thread_counts"))
            {
                TorchSharp.torch.set_num_threads(threads);
                using var onnx = new OnnxDetector(path, new OnnxDetectorOptions { Threads = threads, ImageSize = size });
                var torch = new TorchDetectionBackend(model, TorchSharp.torch.CPU, a.Bool("channels_last"));
                var backends = new (string Label, Forge.Data.Inference.IDetectionBackend Backend)[]
                    { ("ONNX Runtime", onnx), (torch.RunsChannelsLast ? "TorchSharp (channels_last)" : "TorchSharp (NCHW)", torch) };
                var predictors = backends.Select(b => new Predictor(b.Backend, names, size, new NmsOptions())).ToArray();
                var predictMs = backends.Select(_ => new List<double>()).ToArray();
                var forwardMs = backends.Select(_ => new List<double>()).ToArray();
                for (int round = 0; round < rounds; round++)
                    for (int k = 0; k < backends.Length; k++)
                    {
                        int b = (k + round) % backends.Length;   // the order turns each round
                        using var run = backends[b].Backend.BeginRun();   // as Predictor.Run: the fold made once per run
                        TimeBlock(predictors[b], backends[b].Backend, images, size, warmup, predictMs[b], forwardMs[b]);
                    }
                for (int b = 0; b < backends.Length; b++)
                    table.Add(model.Scale.Name, weights, size, threads, backends[b].Label, Harness.Summary.Of(predictMs[b]).Format("F1"),
                              Harness.Summary.Of(forwardMs[b]).Format("F1"),
                              b == 0 ? $"{Harness.Summary.Of(predictMs[1]).Median / Harness.Summary.Of(predictMs[0]).Median:F2}x" : "");
            }
        }
        table.Write(o);
        return 0;
    }

    /// <summary>One runtime's block: <paramref name="warmup"/> untimed images, then each image's predict and square forward timed.</summary>
    static void TimeBlock(Predictor predictor, Forge.Data.Inference.IDetectionBackend backend, Mat[] images, int size, int warmup,
                          List<double> predictMs, List<double> forwardMs)
    {
        for (int i = 0; i < images.Length; i++)
        {
            var input = InferenceInput.Prepare(images[i], "", size, auto: false).Chw;
            long t = Stopwatch.GetTimestamp();
            predictor.Predict(images[i], "");
            double p = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            t = Stopwatch.GetTimestamp();
            backend.Forward(input, 1, size, size, out _);
            double f = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (i < warmup) continue;
            predictMs.Add(p);
            forwardMs.Add(f);
        }
    }

    static Mat Noise(int size, int seed)
    {
        var pixels = new byte[size * 3 / 4 * size * 3];
        new Random(seed).NextBytes(pixels);
        return Mat.FromPixelData(size * 3 / 4, size, MatType.CV_8UC3, pixels).Clone();
    }
}
