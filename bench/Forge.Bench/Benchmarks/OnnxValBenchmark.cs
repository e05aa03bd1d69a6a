using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Core.Detection;
using Forge.Core.Metrics;
using Forge.Data.Datasets;
using Forge.Deploy;
using Forge.Export;
using Forge.Training;
using Forge.Training.Validation;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// forge val with the weights file and with its ONNX export on the same data and the same batches (rectangular by default,
/// which needs a dynamic export; rect=false: square batches and a fixed-size export): P, R, mAP50 and mAP50-95 of both at
/// full precision and their differences (the target: within 0.0005).
/// </summary>
public sealed class OnnxValBenchmark : IBenchmark
{
    public string Name => "onnx-val";
    public string Summary => "val metrics with a weights file and with its ONNX export (ONNX Runtime) on the same data, full precision";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("model", "auto", "a .safetensors checkpoint or weights file (auto: the COCO YOLOv8n fixture)"),
        new("data", "auto", "data.yaml, or shapes (auto: COCO128 when found, else shapes)"),
        new("imgsz", "640", "validation and export size"),
        new("batch", "16", "validation batch"),
        new("rect", "true", "rectangular validation batches (the export is then dynamic=true); false: square imgsz batches, fixed-size export"),
        new("ap_method", "ultralytics", "ultralytics or coco"),
        new("workers", "2", "loader threads"),
        new("tolerance", "0.0005", "largest accepted difference in mAP50 and mAP50-95"),
    ];

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        string weightsPath = a.String("model") == "auto" ? OnnxWorkload.CocoWeights() ?? throw new BenchUsageException("model=auto: the shared fixtures are not here; give model=PATH") : a.String("model");
        string data = a.String("data") == "auto" ? (OnnxWorkload.Coco128() is { } c ? Path.Combine(c, "data.yaml") : "shapes") : a.String("data");
        int imgsz = a.Int("imgsz");
        var (model, names) = ModelFactory.FromCheckpoint(weightsPath);
        using var _ = model;
        var spec = DatasetResolver.Load(data);
        if (spec.NumClasses != model.NumClasses) throw new BenchUsageException($"{weightsPath} detects {model.NumClasses} classes, data={data} has {spec.NumClasses}");
        var index = DatasetIndex.Build(spec.Val, spec.NumClasses, new DataIssueLog(TextWriter.Null), "val", cocoImages: spec.CocoImagesFor);
        bool rect = a.Bool("rect");
        ApMethod apMethod;
        try { apMethod = ApMethods.Parse(a.String("ap_method")); }
        catch (ArgumentException e) { throw new BenchUsageException(e.Message); }
        var path = OnnxWorkload.ExportPath(model.Scale.Name);
        OnnxWorkload.Export(model, names, new OnnxExportOptions { ImageHeight = imgsz, ImageWidth = imgsz, Dynamic = rect }, path);
        // As forge val runs them: ONNX Runtime told the thread count libtorch has (not 0, its pinned default), TorchSharp channels_last as resolved.
        using var onnx = new OnnxDetector(path, new OnnxDetectorOptions { ImageSize = imgsz, Threads = TorchSharp.torch.get_num_threads() });
        var nms = new NmsOptions(0.001f, 0.7f, 300, MultiLabel: true);
        o.WriteLine($"method: {Path.GetFileName(weightsPath)} and its ONNX export (imgsz {imgsz}, {(rect ? "dynamic" : "fixed size, batch 1")}, opset 17) validated by");
        o.WriteLine($"        the same Validator on {data} val ({index.Count} images): {(rect ? "rectangular batches (rect=true)" : $"square {imgsz} batches (rect=false)")}, batch {a.Int("batch")},");
        o.WriteLine($"        NMS conf 0.001 IoU 0.7 multi-label, {apMethod} AP; TorchSharp in float32, folded, channels_last where this CPU runs it right;");
        o.WriteLine($"        ONNX Runtime on {TorchSharp.torch.get_num_threads()} intra-op threads, groups of at most {onnx.MaxRunPixels} pixels per run (as forge val).");
        o.WriteLine();
        Validator NewValidator() => new(index, names, imgsz, a.Int("batch"), a.Int("workers"), TorchSharp.torch.CPU, nms, rect: rect,
                                        apMethod: apMethod, stride: model.Strides.Max(), channelsLast: true);
        var weights = NewValidator().Run(model);
        var exported = NewValidator().Run(onnx);
        var table = new TextTable("model", "P", "R", "mAP50", "mAP50-95", "inference ms/image");
        table.Add("weights (TorchSharp)", F(weights.Metrics.Precision), F(weights.Metrics.Recall), F(weights.Metrics.Map50), F(weights.Metrics.Map50To95), $"{weights.InferenceMsPerImage:F1}");
        table.Add("onnx (ONNX Runtime)", F(exported.Metrics.Precision), F(exported.Metrics.Recall), F(exported.Metrics.Map50), F(exported.Metrics.Map50To95), $"{exported.InferenceMsPerImage:F1}");
        double d50 = Math.Abs(weights.Metrics.Map50 - exported.Metrics.Map50), d5095 = Math.Abs(weights.Metrics.Map50To95 - exported.Metrics.Map50To95);
        table.Add("|difference|", F(Math.Abs(weights.Metrics.Precision - exported.Metrics.Precision)), F(Math.Abs(weights.Metrics.Recall - exported.Metrics.Recall)), F(d50), F(d5095), "");
        table.Write(o);
        bool ok = d50 <= a.Double("tolerance") && d5095 <= a.Double("tolerance");
        o.WriteLine();
        o.WriteLine(ok ? $"mAP50 and mAP50-95 agree within {a.Double("tolerance")}" : $"FAIL: the metrics differ by more than {a.Double("tolerance")}");
        return ok ? 0 : 1;
    }

    static string F(double v) => v.ToString("F5", System.Globalization.CultureInfo.InvariantCulture);
}
