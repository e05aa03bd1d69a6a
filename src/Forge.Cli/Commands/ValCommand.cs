using Forge.Core.Config;
using Forge.Data.Datasets;
using Forge.Distributed;
using Forge.Reporting;
using Forge.Training;
using Forge.Training.Reporting;
using Forge.Training.Validation;

namespace Forge.Cli.Commands;

public static class ValCommand
{
    /// <summary>
    /// Validates model= on a split. With nproc=N (N &gt; 1) the job runs data-parallel like training: Open MPI starts N ranks,
    /// each validates a disjoint shard, the detections are gathered and rank 0 reports metrics equal to one process's.
    /// </summary>
    public static int Run(ForgeConfig cfg, string[] args, TextWriter stdout, TextWriter stderr)
    {
        TrainedWeights.Require(cfg, "val");
        if (cfg.AutoBatch) throw new ConfigException($"batch={ForgeConfig.FormatValue(cfg.BatchSetting)}: auto batch is for training; give val a batch=N");
        var launch = LaunchEnvironment.Current();
        if (cfg.NProc > 1 && !launch.IsMpiLaunch) return MpiLauncher.Relaunch(args, cfg, stdout, stderr);
        using var comm = Communicator.FromEnvironment(launch);
        try
        {
            return Validate(cfg, comm.IsMain ? stdout : TextWriter.Null, comm);
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
        var (model, names) = (weights.Model, weights.Names);
        // Like Ultralytics: dataset and image size default to those the weights were trained with.
        string data = cfg.IsSet("data") || weights.TrainArgs is null ? cfg.Data : weights.TrainArgs.Data;
        var spec = DatasetResolver.Load(data);
        // single_cls also defaults to the training run's (Ultralytics keeps imgsz, data and single_cls from the checkpoint).
        if (!cfg.IsSet("single_cls") && weights.TrainArgs is { SingleCls: true }) cfg.With("single_cls", true);
        int classes = cfg.SingleCls ? 1 : spec.NumClasses;
        if (classes != model.NumClasses)
            throw new InvalidDataException($"{cfg.Model} detects {model.NumClasses} classes, data={data} has {spec.NumClasses}" +
                                           (cfg.SingleCls ? " (single_cls=true: 1)" : model.NumClasses == 1 ? "; weights trained with single_cls need single_cls=true" : ""));
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
        // Like Ultralytics' model.val(): rectangular batches unless rect=false is given.
        bool rect = !cfg.IsSet("rect") || cfg.Rect;
        var validator = new Validator(index, names, weights.ImageSize(cfg), cfg.Batch, cfg.Workers, weights.Device, cfg.ValidationNms(),
                                      rect: rect, apMethod: cfg.ValidationApMethod(), stride: weights.Model.Strides.Max(), comm: comm);
        var result = validator.Run(model, null, stdout, $"{"",11}{"Validating",-44}");
        Validator.PrintTable(stdout, result.Metrics, names, perClass: cfg.Verbose);
        stdout.WriteLine($"Speed: {result.PreprocessMsPerImage:0.0}ms preprocess, {result.InferenceMsPerImage:0.0}ms inference, {result.PostprocessMsPerImage:0.0}ms postprocess per image");
        if (!comm.IsMain) return 0;
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "val", cfg.ExistOk);
        if (cfg.Plots) RunPlots.WriteValidationPlots(run.Path, result.Metrics, result.Confusion, names, stdout);
        stdout.WriteLine($"Results saved to {run.Path}");
        return 0;
    }
}
