using TorchSharp;
using Forge.Core.Config;
using Forge.Core.Detection;
using Forge.Training;
using Forge.Training.Checkpoints;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

public static class PredictCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model))
            throw new ConfigException($"predict needs trained weights: model=path/to/best.safetensors (got model={cfg.Model})");
        if (string.IsNullOrEmpty(cfg.Source)) throw new ConfigException("predict needs source=IMAGE or source=FOLDER");
        cfg.Validate();
        var device = DeviceSelector.Resolve(cfg.Device);
        DeviceSelector.ConfigureThreads(cfg.Threads);
        var (model, names) = ModelFactory.FromCheckpoint(cfg.Model);
        using (model)
        {
            model.to(device);
            var run = RunFolder.Create(cfg.Project, cfg.Name ?? "predict", cfg.ExistOk);
            var nms = new NmsOptions((float)(cfg.Conf ?? 0.25), (float)cfg.Iou, cfg.MaxDet);
            // The image size the weights were trained at, unless given: a detector sees objects best at its training scale.
            var trainArgs = CheckpointInfo.ReadTrainArgs(cfg.Model);
            int imgsz = cfg.IsSet("imgsz") || trainArgs is null ? cfg.ImgSize : trainArgs.ImgSize;
            var predictor = new Predictor(model, names, imgsz, device, nms);
            var results = predictor.Run(cfg.Source!, run.Path, cfg.Save, cfg.SaveTxt, cfg.SaveJson, stdout);
            stdout.WriteLine($"{results.Count} images, {results.Sum(r => r.Detections.Count)} detections. Results saved to {run.Path}");
        }
        return 0;
    }
}
