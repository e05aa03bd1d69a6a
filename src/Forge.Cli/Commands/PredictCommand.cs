using Forge.Core.Config;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

public static class PredictCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        TrainedWeights.Require(cfg, "predict");
        if (string.IsNullOrEmpty(cfg.Source)) throw new ConfigException("predict needs source=: an image, a video, a folder, a glob ('dir/*.jpg') or a .txt list");
        using var weights = TrainedWeights.Load(cfg, "predict");
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "predict", cfg.ExistOk);
        var predictor = new Predictor(weights.Model, weights.Names, weights.ImageSize(cfg), weights.Device, cfg.PredictionNms(), PredictionStyle.From(cfg));
        var outputs = new Predictor.Outputs(cfg.Save, cfg.SaveTxt, cfg.SaveJson, cfg.VidStride);
        var result = predictor.Run(cfg.Source!, run.Path, outputs, stdout);
        string frames = result.VideoFiles > 0 ? $", {result.Frames} video frames" : "";
        string unreadable = result.Unreadable > 0 ? $", {result.Unreadable} files could not be read (named above)" : "";
        stdout.WriteLine($"{result.Images} images{frames}, {result.Detections} detections{unreadable}. Results saved to {run.Path}");
        return 0;
    }
}
