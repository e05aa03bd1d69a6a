using Forge.Core.Config;
using Forge.Data.Datasets;
using Forge.Cli.Launch;
using Forge.Distributed;
using Forge.Reporting;
using Forge.Training;
using Forge.Training.Reporting;
using Forge.Training.Validation;

namespace Forge.Cli.Commands;

public static class ValCommand
{
    /// <summary>
    /// Validates model= (weights, or an .onnx on ONNX Runtime) on a split. With nproc=N (N &gt; 1) the job runs data-parallel
    /// like training: Open MPI starts N ranks, each validates a disjoint shard, the detections are gathered and rank 0
    /// reports metrics equal to one process's.
    /// </summary>
    public static int Run(ForgeConfig cfg, string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool onnx = OnnxModel.Is(cfg.Model);
        if (!onnx) TrainedWeights.Require(cfg, "val");
        if (cfg.AutoBatch) throw new ConfigException($"batch={ForgeConfig.FormatValue(cfg.BatchSetting)}: auto batch is for training; give val a batch=N");
        var launch = LaunchEnvironment.Current();
        // Several ranks or machines: Open MPI starts them (max_restarts is training's: a validation is simply run again).
        if ((cfg.NProc > 1 || cfg.NNodes > 1) && !launch.IsMpiLaunch) return MpiLauncher.Relaunch(args, cfg, stdout, stderr);
        using var comm = Communicator.FromEnvironment(launch);
        try
        {
            var log = comm.IsMain ? stdout : TextWriter.Null;
            return onnx ? RunOnnx(cfg, log, comm) : Validate(cfg, log, comm);
        }
        catch (Exception e) when (comm.WorldSize > 1)
        {
            comm.Abort(1, $"rank {comm.Rank}: {e.GetType().Name}: {e.Message}");
            throw;   // not reached
        }
    }

    static int Validate(ForgeConfig cfg, TextWriter stdout, ICommunicator comm)
    {
        using var weights = TrainedWeights.Load(cfg, "val", comm.LocalSize);
        stdout.WriteLine($"Loaded {weights.Description}");
        // Like Ultralytics: dataset and image size default to those the weights were trained with, and so does single_cls
        // (Ultralytics keeps imgsz, data and single_cls from the checkpoint).
        string data = cfg.IsSet("data") || weights.TrainArgs is null ? cfg.Data : weights.TrainArgs.Data;
        if (!cfg.IsSet("single_cls") && weights.TrainArgs is { SingleCls: true }) cfg.With("single_cls", true);
        // Like Ultralytics' model.val(): rectangular batches unless rect=false is given.
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        var validator = CreateValidator(cfg, data, weights.Model.NumClasses, weights.Names, weights.ImageSize(cfg), rect,
                                        weights.Model.Strides.Max(), weights.Device, stdout, comm);
        bool bfloat16 = TensorLibrary.InferenceBFloat16(cfg, weights.Device, stdout);
        return Report(cfg, validator.Run(weights.Model, null, stdout, $"{"",11}{"Validating",-44}", bfloat16), weights.Names, stdout, comm);
    }

    /// <summary>model=best.onnx: the same validator (data, batches, letterbox, NMS, metrics, ranks) over an ONNX Runtime
    /// session, data= as given. A dynamic export takes rectangular batches; a fixed-size one only square batches at its size.</summary>
    static int RunOnnx(ForgeConfig cfg, TextWriter stdout, ICommunicator comm)
    {
        OnnxModel.RefuseHalf(cfg);
        using var onnx = OnnxModel.Open(cfg, cfg.ValidationNms(), comm.LocalSize);
        stdout.WriteLine(OnnxModel.Describe(onnx, cfg.Model));
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        if (rect && onnx.FixedInputSize is { } size)
        {
            stdout.WriteLine($"{Path.GetFileName(cfg.Model)} was exported with a fixed {size.Height}x{size.Width} input: validating with square " +
                             $"{size.Height}x{size.Width} batches (rect=false); export with dynamic=true for rectangular batches");
            rect = false;
        }
        var validator = CreateValidator(cfg, cfg.Data, onnx.NumClasses, onnx.Names, onnx.InputHeight, rect, onnx.Stride, TorchSharp.torch.CPU, stdout, comm);
        return Report(cfg, validator.Run(onnx, stdout, $"{"",11}{"Validating",-44}"), onnx.Names, stdout, comm);
    }

    static Validator CreateValidator(ForgeConfig cfg, string data, int numClasses, string[] names, int imgsz, bool rect, int stride,
                                     TorchSharp.torch.Device device, TextWriter stdout, ICommunicator comm)
    {
        var spec = DatasetResolver.Load(data);
        int classes = cfg.SingleCls ? 1 : spec.NumClasses;
        if (classes != numClasses)
            throw new InvalidDataException($"{cfg.Model} detects {numClasses} classes, data={data} has {spec.NumClasses}" +
                                           (cfg.SingleCls ? " (single_cls=true: 1)" : numClasses == 1 ? "; weights trained with single_cls need single_cls=true" : ""));
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
        index = DatasetSelection.Apply(index, cfg, training: false, stdout);
        if (!TrainingData.HasLabels(index))
            throw new InvalidDataException($"no labels in the '{cfg.Split}' split of data={data} ({index.Count} images, all backgrounds): metrics cannot be " +
                                           "computed without labels. Put YOLO label files in labels/ beside images/ (or use 'forge predict' to look at detections).");
        if (comm.WorldSize > 1) stdout.WriteLine($"Validating data-parallel on {comm.WorldSize} ranks: each takes a shard, detections are gathered on every rank");
        return new Validator(index, names, imgsz, cfg.Batch, cfg.Workers, device, cfg.ValidationNms(), rect: rect,
                             apMethod: cfg.ValidationApMethod(), stride: stride, comm: comm, channelsLast: cfg.ChannelsLast);
    }

    static int Report(ForgeConfig cfg, ValidationResult result, string[] names, TextWriter stdout, ICommunicator comm)
    {
        Validator.PrintTable(stdout, result.Metrics, names, perClass: cfg.Verbose);
        stdout.WriteLine($"Speed: {result.PreprocessMsPerImage:0.0}ms preprocess, {result.InferenceMsPerImage:0.0}ms inference, {result.PostprocessMsPerImage:0.0}ms postprocess per image");
        if (!comm.IsMain) return 0;
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "val", cfg.ExistOk);
        if (cfg.Plots) RunPlots.WriteValidationPlots(run.Path, result.Metrics, result.Confusion, names, stdout);
        stdout.WriteLine($"Results saved to {run.Path}");
        return 0;
    }
}
