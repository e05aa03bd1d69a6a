using TorchSharp;
using Forge.Core.Config;
using Forge.Core.Detection;
using Forge.Data.Datasets;
using Forge.Training;
using Forge.Training.Checkpoints;
using Forge.Training.Reporting;
using Forge.Training.Validation;
using static TorchSharp.torch;

namespace Forge.Cli.Commands;

public static class ValCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model))
            throw new ConfigException($"val needs trained weights: model=path/to/best.safetensors (got model={cfg.Model})");
        cfg.Validate();
        var device = DeviceSelector.Resolve(cfg.Device);
        DeviceSelector.ConfigureThreads(cfg.Threads);
        var (model, names) = ModelFactory.FromCheckpoint(cfg.Model);
        using (model)
        {
            model.to(device);
            var trainArgs = CheckpointInfo.ReadTrainArgs(cfg.Model);
            // Like Ultralytics: dataset and image size default to those the weights were trained with.
            string data = cfg.IsSet("data") || trainArgs is null ? cfg.Data : trainArgs.Data;
            int imgsz = cfg.IsSet("imgsz") || trainArgs is null ? cfg.ImgSize : trainArgs.ImgSize;
            var spec = DatasetResolver.Load(data);
            if (spec.NumClasses != model.NumClasses)
                throw new InvalidDataException($"{cfg.Model} detects {model.NumClasses} classes, data={data} has {spec.NumClasses}");
            var sources = cfg.Split switch
            {
                "val" => spec.Val,
                "train" => spec.Train,
                "test" => spec.Test,
                _ => throw new ConfigException($"split={cfg.Split}: use val, train or test"),
            };
            if (sources.Count == 0) throw new ConfigException($"data={data} has no '{cfg.Split}' split");
            var issues = new DataIssueLog(stdout);
            var index = DatasetIndex.Build(sources, spec.NumClasses, issues, cfg.Split);
            stdout.WriteLine(issues.Summary());
            var nms = new NmsOptions((float)(cfg.Conf ?? 0.001), (float)cfg.Iou, cfg.MaxDet, MultiLabel: true);
            var validator = new Validator(index, names, imgsz, cfg.Batch, cfg.Workers, device, nms);
            var result = validator.Run(model, null, stdout, $"{"",11}{"Validating",-44}");
            Validator.PrintTable(stdout, result.Metrics, names, perClass: cfg.Verbose);
            stdout.WriteLine($"Speed: {result.PreprocessMsPerImage:0.0}ms preprocess, {result.InferenceMsPerImage:0.0}ms inference, {result.PostprocessMsPerImage:0.0}ms postprocess per image");
            var run = RunFolder.Create(cfg.Project, cfg.Name ?? "val", cfg.ExistOk);
            if (cfg.Plots) RunPlots.WriteValidationPlots(run, result, names, stdout);
            stdout.WriteLine($"Results saved to {run.Path}");
        }
        return 0;
    }
}
