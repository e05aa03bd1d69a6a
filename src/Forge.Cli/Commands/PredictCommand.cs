using Forge.Core.Config;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

public static class PredictCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        TrainedWeights.Require(cfg, "predict");
        if (string.IsNullOrEmpty(cfg.Source)) throw new ConfigException("predict needs source=IMAGE or source=FOLDER");
        using var weights = TrainedWeights.Load(cfg, "predict");
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "predict", cfg.ExistOk);
        var predictor = new Predictor(weights.Model, weights.Names, weights.ImageSize(cfg), weights.Device, cfg.PredictionNms(), PredictionStyle.From(cfg));
        var results = predictor.Run(cfg.Source!, run.Path, cfg.Save, cfg.SaveTxt, cfg.SaveJson, stdout);
        stdout.WriteLine($"{results.Count} images, {results.Sum(r => r.Detections.Count)} detections. Results saved to {run.Path}");
        return 0;
    }
}
