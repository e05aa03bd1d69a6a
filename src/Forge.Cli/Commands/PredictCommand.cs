using Forge.Core.Config;
using Forge.Training;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

public static class PredictCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        if (!OnnxModel.Is(cfg.Model)) TrainedWeights.Require(cfg, "predict");
        if (string.IsNullOrEmpty(cfg.Source)) throw new ConfigException("predict needs source=: an image, a video, a folder, a glob ('dir/*.jpg') or a .txt list");
        if (OnnxModel.Is(cfg.Model)) return RunOnnx(cfg, stdout);
        using var weights = TrainedWeights.Load(cfg, "predict");
        stdout.WriteLine($"Loaded {weights.Description}");
        bool bfloat16 = TensorLibrary.InferenceBFloat16(cfg, weights.Device, stdout);
        return Predict(cfg, new Predictor(weights.Model, weights.Names, weights.ImageSize(cfg), weights.Device, cfg.PredictionNms(), PredictionStyle.From(cfg),
                                          cfg.ChannelsLast, bfloat16), stdout);
    }

    /// <summary>model=best.onnx: the same predictor (sources, letterbox, NMS, outputs) over an ONNX Runtime session.</summary>
    static int RunOnnx(ForgeConfig cfg, TextWriter stdout)
    {
        OnnxModel.RefuseHalf(cfg);
        var nms = cfg.PredictionNms();
        using var onnx = OnnxModel.Open(cfg, nms);
        stdout.WriteLine(OnnxModel.Describe(onnx, cfg.Model));
        return Predict(cfg, new Predictor(onnx, onnx.Names, onnx.InputHeight, nms, PredictionStyle.From(cfg)), stdout);
    }

    static int Predict(ForgeConfig cfg, Predictor predictor, TextWriter stdout)
    {
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "predict", cfg.ExistOk);
        var outputs = new Predictor.Outputs(cfg.Save, cfg.SaveTxt, cfg.SaveJson, cfg.VidStride);
        var result = predictor.Run(cfg.Source!, run.Path, outputs, stdout);
        string frames = result.VideoFiles > 0 ? $", {result.Frames} video frames" : "";
        string unreadable = result.Unreadable > 0 ? $", {result.Unreadable} files could not be read (named above)" : "";
        if (result.Speed is { } speed) stdout.WriteLine(speed.SummaryLine());
        stdout.WriteLine($"{result.Images} images{frames}, {result.Detections} detections{unreadable}. Results saved to {run.Path}");
        return 0;
    }
}
