using Forge.Core.Config;
using Forge.Core.Detection;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

public static class PredictCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        if (!OnnxModel.Is(cfg.Model)) TrainedWeights.Require(cfg, "predict");
        if (string.IsNullOrEmpty(cfg.Source)) throw new ConfigException("predict needs source=IMAGE or source=FOLDER");
        if (OnnxModel.Is(cfg.Model)) return RunOnnx(cfg, stdout);
        using var weights = TrainedWeights.Load(cfg, "predict");
        stdout.WriteLine($"Loaded {weights.Description}");
        var nms = new NmsOptions((float)(cfg.Conf ?? 0.25), (float)cfg.Iou, cfg.MaxDet);
        int imgsz = weights.ImageSize(cfg);
        return Predict(cfg, new Predictor(weights.Model, weights.Names, imgsz, weights.Device, nms), stdout);
    }

    /// <summary>model=best.onnx: the same predictor (letterbox, NMS, outputs) over an ONNX Runtime session.</summary>
    static int RunOnnx(ForgeConfig cfg, TextWriter stdout)
    {
        using var onnx = OnnxModel.Open(cfg, (float)(cfg.Conf ?? 0.25), multiLabel: false);
        stdout.WriteLine(OnnxModel.Describe(onnx, cfg.Model));
        var nms = new NmsOptions((float)(cfg.Conf ?? 0.25), (float)cfg.Iou, cfg.MaxDet);
        return Predict(cfg, new Predictor(onnx, onnx.Names, onnx.InputHeight, nms), stdout);
    }

    static int Predict(ForgeConfig cfg, Predictor predictor, TextWriter stdout)
    {
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "predict", cfg.ExistOk);
        var results = predictor.Run(cfg.Source!, run.Path, cfg.Save, cfg.SaveTxt, cfg.SaveJson, stdout);
        stdout.WriteLine($"{results.Count} images, {results.Sum(r => r.Detections.Count)} detections. Results saved to {run.Path}");
        return 0;
    }
}
