using Forge.Core.Config;
using Forge.Deploy;
using Forge.Export;
using Forge.Training;
using Forge.Training.Checkpoints;
using TorchSharp;

namespace Forge.Cli.Commands;

public static class ExportCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        TrainedWeights.Require(cfg, "export");
        if (cfg.Half) throw new ConfigException("half=true: export writes float32 weights (float16 export is not implemented in Forge); leave half out");
        cfg.Validate();   // format= onnx or safetensors, opset= in the range Forge.Export supports
        if (cfg.Format.Equals("onnx", StringComparison.OrdinalIgnoreCase)) return Onnx(cfg, stdout);
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(cfg.Model))!, Path.GetFileNameWithoutExtension(cfg.Model) + ".weights.safetensors");
        var (path, tensors, bytes) = WeightsExporter.ExportSafetensors(cfg.Model, output);
        stdout.WriteLine($"Exported {tensors} tensors ({bytes / 1048576.0:0.0} MB) to {path}");
        return 0;
    }

    /// <summary>
    /// best.safetensors → best.onnx beside it. Like Ultralytics' export: imgsz defaults to the training size and batch to 1.
    /// The file is then loaded by ONNX Runtime and compared with the TorchSharp model on a seeded random batch.
    /// </summary>
    static int Onnx(ForgeConfig cfg, TextWriter stdout)
    {
        using var weights = TrainedWeights.Load(cfg, "export");
        weights.Model.to(TorchSharp.torch.CPU);
        int imgsz = weights.ImageSize(cfg);
        var options = new OnnxExportOptions
        {
            ImageHeight = imgsz, ImageWidth = imgsz, Opset = cfg.Opset, Dynamic = cfg.Dynamic,
            Batch = cfg.IsSet("batch") ? cfg.Batch : 1,
        };
        var description = new ExportDescription(weights.Names, weights.Model.Scale.Name, weights.TrainArgs?.Data, ForgeInfo.Version);
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(cfg.Model))!, Path.GetFileNameWithoutExtension(cfg.Model) + ".onnx");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = OnnxExporter.Export(weights.Model, options, description, output);
        foreach (var note in result.Notes) stdout.WriteLine($"WARNING: {note}");
        stdout.WriteLine($"ONNX: export success {clock.Elapsed.TotalSeconds:0.0}s, saved as {result.Path} ({result.Bytes / 1048576.0:0.0} MB)");
        stdout.WriteLine($"  images {result.InputShape} -> output0 {result.OutputShape}, opset {result.Opset} (IR {result.IrVersion}), Conv+BN fused, " +
                         $"{result.OpCounts.Values.Sum()} nodes: {string.Join(" ", result.OpCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}x{kv.Value}"))}");
        Verify(weights, result, options, stdout);
        stdout.WriteLine($"Predict: forge predict model={result.Path} source=IMAGES    Validate: forge val model={result.Path} data=DATA");
        return 0;
    }

    /// <summary>ONNX Runtime loads the file (checking every node against its kernels) and runs it next to TorchSharp.</summary>
    static void Verify(TrainedWeights weights, OnnxExportResult result, OnnxExportOptions o, TextWriter stdout)
    {
        using var onnx = new OnnxDetector(result.Path, new OnnxDetectorOptions { ImageSize = o.ImageHeight });
        int batch = o.Dynamic ? 1 : o.Batch;
        var parity = OnnxParity.Compare(weights.Model, onnx, OnnxParity.RandomImages(batch, onnx.InputHeight, onnx.InputWidth, seed: 0),
                                        batch, onnx.InputHeight, onnx.InputWidth);
        stdout.WriteLine($"{(parity.Within() ? "ONNX Runtime check" : "WARNING: ONNX Runtime disagrees with TorchSharp")}: {parity}");
    }
}
