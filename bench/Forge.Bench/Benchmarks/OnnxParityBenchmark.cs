using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Deploy;
using Forge.Export;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// ONNX Runtime against TorchSharp on the same inputs: each model exported once (dynamic axes by default), then run at every
/// image size and batch size by both; the largest |difference| on boxes (pixels) and scores, next to TorchSharp's own
/// float32-vs-float64 error, which bounds how closely any two float32 implementations can agree.
/// </summary>
public sealed class OnnxParityBenchmark : IBenchmark
{
    public string Name => "onnx-parity";
    public string Summary => "ONNX Runtime vs TorchSharp forward on the same inputs: max |diff| of boxes and scores for n and s at 320 and 640, batch 1 and 4";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("models", "yolov8n,yolov8s", "models to export (yolov8n..x, yolo11n..x)"),
        new("imgsz", "320,640", "input sizes (multiples of 32)"),
        new("batch", "1,4", "batch sizes"),
        new("dynamic", "true", "export once with dynamic batch and size axes (false: one fixed-shape export per size and batch)", ["true", "false"]),
        new("opset", "17", "ONNX op-set"),
        new("weights", "auto", "auto: the COCO YOLOv8n fixture for yolov8n when found, seeded random weights otherwise; random; or a .safetensors path"),
        new("bound", "1e-4", "largest |diff| accepted on scores, and on boxes unless float32 itself cannot resolve it (3x TorchSharp's float32 error)"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        double bound = a.Double("bound");
        bool dynamic = a.Bool("dynamic");
        var sizes = a.Ints("imgsz");
        var batches = a.Ints("batch");
        if (sizes.Any(s => s < 32 || s % 32 != 0) || batches.Any(b => b < 1)) throw new BenchUsageException("imgsz must be multiples of 32 and batch >= 1");
        var photos = OnnxWorkload.Photos();
        o.WriteLine("method: each model is exported (Conv+BN fused) and loaded by ONNX Runtime (CPU); both run the same batch (photos letterboxed as");
        o.WriteLine("        predict does, or noise); TorchSharp also runs in float64. Columns: max |ORT - TorchSharp| and max |TorchSharp float32 - float64|.");
        o.WriteLine($"        A row passes when scores differ by <= {bound:0e0} and boxes by <= max({bound:0e0} px, 3x TorchSharp's float32 error).");
        o.WriteLine();
        var table = new TextTable("model", "weights", "export", "imgsz", "batch", "input", "ORT-TS boxes px", "ORT-TS scores", "TS32-TS64 boxes px", "TS32-TS64 scores", "ORT ms", "TS ms", "result");
        int failures = 0;
        foreach (var name in a.List("models"))
        {
            var (model, names, weights) = OnnxWorkload.Load(name, a.String("weights"), seed: 1);
            using var _ = model;
            OnnxDetector? shared = dynamic ? Open(model, names, new OnnxExportOptions { ImageHeight = sizes[0], ImageWidth = sizes[0], Dynamic = true, Opset = a.Int("opset") }) : null;
            try
            {
                foreach (int size in sizes)
                    foreach (int batch in batches)
                    {
                        using var owned = shared is null ? Open(model, names, new OnnxExportOptions { ImageHeight = size, ImageWidth = size, Batch = batch, Opset = a.Int("opset") }) : null;
                        var onnx = shared ?? owned!;
                        var (images, source) = OnnxWorkload.Batch(photos, 0, batch, size, seed: size + batch);
                        var (ortMs, tsMs) = Time(model, onnx, images, batch, size);
                        var p = OnnxParity.Compare(model, onnx, images, batch, size, size);
                        bool ok = p.Within(bound);
                        failures += ok ? 0 : 1;
                        table.Add(model.Scale.Name, weights, dynamic ? "dynamic" : "fixed", size, batch, source, $"{p.MaxBoxDiff:0.0e0}", $"{p.MaxScoreDiff:0.0e0}",
                                  $"{p.Float32BoxError:0.0e0}", $"{p.Float32ScoreError:0.0e0}", $"{ortMs:F0}", $"{tsMs:F0}",
                                  !ok ? "FAIL" : p.MaxBoxDiff <= bound ? $"<= {bound:0e0}" : "float32 noise");
                    }
            }
            finally { shared?.Dispose(); }
        }
        table.Write(o);
        o.WriteLine();
        o.WriteLine(failures == 0 ? "all rows pass" : $"{failures} row(s) FAIL");
        return failures == 0 ? 0 : 1;
    }

    static OnnxDetector Open(Forge.Models.YoloDetector model, string[] names, OnnxExportOptions options)
    {
        var path = OnnxWorkload.ExportPath(model.Scale.Name);
        OnnxWorkload.Export(model, names, options, path);
        return new OnnxDetector(path);
    }

    /// <summary>One untimed then one timed forward of each (ms for the whole batch; informative only, see onnx-speed).</summary>
    static (double Ort, double Ts) Time(Forge.Models.YoloDetector model, OnnxDetector onnx, float[] images, int batch, int size)
    {
        var torchBackend = new Forge.Training.Prediction.TorchDetectionBackend(model, TorchSharp.torch.CPU);
        double ort = 0, ts = 0;
        for (int r = 0; r < 2; r++)
        {
            long t = Stopwatch.GetTimestamp();
            onnx.Forward(images, batch, size, size, out _);
            ort = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            t = Stopwatch.GetTimestamp();
            torchBackend.Forward(images, batch, size, size, out _);
            ts = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        return (ort, ts);
    }
}
