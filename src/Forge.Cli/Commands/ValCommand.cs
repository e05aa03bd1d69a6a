using Forge.Core.Config;
using Forge.Data.Datasets;
using Forge.Reporting;
using Forge.Training;
using Forge.Training.Reporting;
using Forge.Training.Validation;

namespace Forge.Cli.Commands;

public static class ValCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        using var weights = TrainedWeights.Load(cfg, "val");
        var (model, names) = (weights.Model, weights.Names);
        // Like Ultralytics: dataset and image size default to those the weights were trained with.
        string data = cfg.IsSet("data") || weights.TrainArgs is null ? cfg.Data : weights.TrainArgs.Data;
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
        var index = DatasetIndex.Build(sources, spec.NumClasses, issues, cfg.Split, cocoImages: spec.CocoImagesFor);
        stdout.WriteLine(issues.Summary());
        // Like Ultralytics' model.val(): rectangular batches unless rect=false is given.
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        var validator = new Validator(index, names, weights.ImageSize(cfg), cfg.Batch, cfg.Workers, weights.Device, cfg.ValidationNms(),
                                      rect: rect, apMethod: cfg.ValidationApMethod(), stride: weights.Model.Strides.Max());
        var result = validator.Run(model, null, stdout, $"{"",11}{"Validating",-44}");
        Validator.PrintTable(stdout, result.Metrics, names, perClass: cfg.Verbose);
        stdout.WriteLine($"Speed: {result.PreprocessMsPerImage:0.0}ms preprocess, {result.InferenceMsPerImage:0.0}ms inference, {result.PostprocessMsPerImage:0.0}ms postprocess per image");
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "val", cfg.ExistOk);
        if (cfg.Plots) RunPlots.WriteValidationPlots(run.Path, result.Metrics, result.Confusion, names, stdout);
        stdout.WriteLine($"Results saved to {run.Path}");
        return 0;
    }
}
