using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Models;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// The inference forward of validation and predict (eval forward + decode + copy to a float array) in several variants on
/// the same batches, alternating batch by batch: BatchNorm unfused or folded, autograd off by no_grad or inference_mode,
/// NCHW or channels_last, float32 or bfloat16 autocast. Prints ms per batch, images/s and each variant's largest difference
/// from the folded NCHW output.
/// </summary>
public sealed class InferenceBenchmark : IBenchmark
{
    public string Name => "inference";
    public string Summary => "eval forward + decode as validation and predict run it: BatchNorm folded or not, no_grad vs inference_mode, NCHW vs channels_last, float32 vs bf16 autocast";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("model", "yolov8n", "model (yolov8n..x, yolo11n..x)"),
        new("weights", "auto", "auto: the COCO YOLOv8n fixture for yolov8n when found, seeded random weights otherwise; random; or a .safetensors path"),
        new("cases", "320:16,640:1", "imgsz:batch per case (validation-like batches, predict-like single images)"),
        new("repeats", "8", "timed batches per variant and case"),
        new("warmup", "2", "untimed batches per variant first"),
    ];

    sealed record Variant(string Label, bool Fused, bool InferenceMode, bool ChannelsLast, bool BFloat16 = false);

    static readonly Variant[] Variants =
    [
        new("unfused, no_grad, NCHW", false, false, false),
        new("folded, no_grad, NCHW", true, false, false),
        new("folded, inference_mode, NCHW", true, true, false),
        new("folded, inference_mode, channels_last", true, true, true),
        new("folded, inference_mode, NCHW, bf16 autocast", true, true, false, BFloat16: true),
        new("folded, inference_mode, channels_last, bf16 autocast", true, true, true, BFloat16: true),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        var (model, _, weights) = OnnxWorkload.Load(a.String("model"), a.String("weights"), seed: 1);
        using var owned = model;
        model.eval();
        var photos = OnnxWorkload.Photos();
        int repeats = a.Int("repeats"), warmup = a.Int("warmup");
        o.WriteLine($"method: {model.Scale.Name} ({weights}) in eval mode; per batch: forward + Decode + to CPU + copy to float[] (what Validator and");
        o.WriteLine("        TorchDetectionBackend do per batch). Variants alternate batch by batch on the same letterboxed COCO128 photos (noise");
        o.WriteLine($"        without them); {warmup} warm-up + {repeats} timed batches per variant; |diff| = largest difference from the folded NCHW output.");
        o.WriteLine();
        var table = new TextTable("imgsz", "batch", "variant", "ms/batch", "images/s", "x vs unfused", "max |diff|");
        foreach (var c in a.List("cases"))
        {
            var parts = c.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int size) || !int.TryParse(parts[1], out int batch) || size % 32 != 0 || batch < 1)
                throw new BenchUsageException($"cases: '{c}' is not imgsz:batch with imgsz a multiple of 32");
            var (pixels, _) = OnnxWorkload.Batch(photos, 0, batch, size, seed: 3);
            using var images = tensor(pixels, [batch, 3, size, size]);
            var ms = Variants.Select(_ => new List<double>()).ToArray();
            var outputs = new float[Variants.Length][];
            for (int r = 0; r < warmup + repeats; r++)
                for (int v = 0; v < Variants.Length; v++)
                {
                    long t = Stopwatch.GetTimestamp();
                    outputs[v] = Forward(model, images, Variants[v]);
                    if (r >= warmup) ms[v].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            double unfused = Harness.Summary.Of(ms[0]).Median;
            for (int v = 0; v < Variants.Length; v++)
            {
                var s = Harness.Summary.Of(ms[v]);
                double diff = 0;
                for (int i = 0; i < outputs[v].Length; i++) diff = Math.Max(diff, Math.Abs(outputs[v][i] - outputs[1][i]));
                table.Add(size, batch, Variants[v].Label, s.Format("F1"), $"{batch * 1000 / s.Median:F1}", $"{unfused / s.Median:F2}", $"{diff:G2}");
            }
        }
        table.Write(o);
        if (ChannelsLastCheck.Problem(model) is { } problem)
            o.WriteLine($"channels_last check: {problem} (see max |diff|: this benchmark runs them channels_last); forge val and predict run " +
                        "those convolutions NCHW inside the channels_last model.");
        return 0;
    }

    static float[] Forward(YoloDetector model, Tensor images, Variant v)
    {
        using var scope = NewDisposeScope();
        using var grad = v.InferenceMode ? null : no_grad();
        using var inference = v.InferenceMode ? inference_mode() : null;
        using var fused = v.Fused ? model.FuseForInference(v.ChannelsLast) : null;
        using var autocast = v.BFloat16 ? Autocast.BFloat16() : null;
        var x = v.ChannelsLast ? ChannelsLast.Of(images) : images.alias();
        int h = (int)images.shape[2], w = (int)images.shape[3];
        return HostArrays.Floats(model.Decode(model.forward(x), h, w).to(CPU));
    }
}
