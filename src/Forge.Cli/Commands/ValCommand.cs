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
        if (OnnxModel.Is(cfg.Model)) return RunOnnx(cfg, stdout);
        using var weights = TrainedWeights.Load(cfg, "val");
        stdout.WriteLine($"Loaded {weights.Description}");
        // Like Ultralytics: dataset and image size default to those the weights were trained with.
        string data = cfg.IsSet("data") || weights.TrainArgs is null ? cfg.Data : weights.TrainArgs.Data;
        // Like Ultralytics' model.val(): rectangular batches unless rect=false is given.
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        var validator = CreateValidator(cfg, data, weights.Model.NumClasses, weights.Names, weights.ImageSize(cfg), rect,
                                        weights.Model.Strides.Max(), weights.Device, stdout);
        return Report(cfg, validator.Run(weights.Model, null, stdout, $"{"",11}{"Validating",-44}"), weights.Names, stdout);
    }

    /// <summary>model=best.onnx: the same validator (data, batches, letterbox, NMS, metrics) over an ONNX Runtime session,
    /// data= as given. A dynamic export takes rectangular batches; a fixed-size one only square batches at its size.</summary>
    static int RunOnnx(ForgeConfig cfg, TextWriter stdout)
    {
        using var onnx = OnnxModel.Open(cfg, cfg.ValidationNms());
        stdout.WriteLine(OnnxModel.Describe(onnx, cfg.Model));
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        if (rect && onnx.FixedInputSize is { } size)
        {
            stdout.WriteLine($"{Path.GetFileName(cfg.Model)} was exported with a fixed {size.Height}x{size.Width} input: validating with square " +
                             $"{size.Height}x{size.Width} batches (rect=false); export with dynamic=true for rectangular batches");
            rect = false;
        }
        var validator = CreateValidator(cfg, cfg.Data, onnx.NumClasses, onnx.Names, onnx.InputHeight, rect, onnx.Stride, TorchSharp.torch.CPU, stdout);
        return Report(cfg, validator.Run(onnx, stdout, $"{"",11}{"Validating",-44}"), onnx.Names, stdout);
    }

    static Validator CreateValidator(ForgeConfig cfg, string data, int numClasses, string[] names, int imgsz, bool rect, int stride,
                                     TorchSharp.torch.Device device, TextWriter stdout)
    {
        var spec = DatasetResolver.Load(data);
        if (spec.NumClasses != numClasses)
            throw new InvalidDataException($"{cfg.Model} detects {numClasses} classes, data={data} has {spec.NumClasses}");
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
        return new Validator(index, names, imgsz, cfg.Batch, cfg.Workers, device, cfg.ValidationNms(), rect: rect,
                             apMethod: cfg.ValidationApMethod(), stride: stride, channelsLast: cfg.ChannelsLast);
    }

    static int Report(ForgeConfig cfg, ValidationResult result, string[] names, TextWriter stdout)
    {
        Validator.PrintTable(stdout, result.Metrics, names, perClass: cfg.Verbose);
        stdout.WriteLine($"Speed: {result.PreprocessMsPerImage:0.0}ms preprocess, {result.InferenceMsPerImage:0.0}ms inference, {result.PostprocessMsPerImage:0.0}ms postprocess per image");
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "val", cfg.ExistOk);
        if (cfg.Plots) RunPlots.WriteValidationPlots(run.Path, result.Metrics, result.Confusion, names, stdout);
        stdout.WriteLine($"Results saved to {run.Path}");
        return 0;
    }
}
