using Forge.Cli.Launch;
using TorchSharp;
using Forge.Core.Config;
using Forge.Distributed;
using Forge.Data.Datasets;
using Forge.Training;
using Forge.Training.Prediction;
using Forge.Training.Reporting;

namespace Forge.Cli.Commands;

/// <summary>
/// The main job of the README: train the default model on the embedded shapes dataset (generated on first use), validate
/// the best weights, and run prediction on the validation images. Any key=value overrides the demo's settings.
/// </summary>
public static class DemoCommand
{
    /// <summary>
    /// Settings sized so the job fits in minutes on a 2-core CPU and still learns the task well: a small input (the shapes are
    /// large), and since a short run from scratch gets few optimizer steps, no accumulation beyond the batch (nbs=16) and a
    /// higher AdamW learning rate than Ultralytics' auto choice (measured: mAP50 0.77 vs 0.88 after 20 epochs).
    /// </summary>
    public static ForgeConfig DefaultConfig() => new ForgeConfig()
        .With("data", DatasetResolver.BuiltinShapes)
        .With("model", "yolov8n")
        .With("imgsz", 160)
        .With("epochs", 30)
        .With("close_mosaic", 10)
        .With("batch", 16)
        .With("nbs", 16)
        .With("optimizer", "AdamW")
        .With("lr0", 0.002)
        .With("momentum", 0.9)
        .With("warmup_bias_lr", 0.0)
        .With("cache", true)
        .With("name", "demo");

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cfg = DefaultConfig();
        cfg.ApplyArguments(args[1..]);
        // nproc=N: the same demo as a data-parallel job; every rank trains, rank 0 reports and predicts.
        var launch = LaunchEnvironment.Current();
        if (MpiLauncher.Needed(cfg) && !launch.IsMpiLaunch) return MpiLauncher.Relaunch(args, cfg, stdout, stderr);
        using var comm = Communicator.FromEnvironment(launch);
        if (comm.IsMain) stdout.WriteLine("== Forge demo: train on the embedded 'shapes' dataset, validate, predict ==");
        using var stop = new StopSignal();
        var result = TrainCommand.TrainAsRank(cfg, stdout, comm, stop);
        if (result.Interrupted || !comm.IsMain) return 0;

        stdout.WriteLine("\n== Predict on the validation images with the best weights ==");
        var spec = DatasetResolver.Load(cfg.Data);
        var (model, names) = ModelFactory.FromCheckpoint(result.BestCheckpoint);
        PredictionRun predictions;
        RunFolder predictRun;
        using (model)
        {
            var device = DeviceSelector.Resolve(cfg.Device);
            model.to(device);
            predictRun = RunFolder.Create(cfg.Project, Path.GetFileName(result.RunDirectory) + "-predict", existOk: false);
            var source = spec.Val.Count > 0 ? spec.Val[0] : spec.Train[0];
            predictions = new Predictor(model, names, cfg.ImgSize, device, cfg.PredictionNms(), channelsLast: cfg.ChannelsLast).Run(source, predictRun.Path, new Predictor.Outputs(), TextWriter.Null);
        }
        int detections = predictions.Detections;

        var m = result.FinalValidation?.Metrics;
        stdout.WriteLine();
        stdout.WriteLine("== Summary ==");
        if (m is not null) stdout.WriteLine($"Validation ({m.ImageCount} images, {m.InstanceCount} objects): P {m.Precision:0.000}  R {m.Recall:0.000}  mAP50 {m.Map50:0.000}  mAP50-95 {m.Map50To95:0.000}");
        stdout.WriteLine($"Training time: {Forge.Reporting.DurationText.Format(result.Elapsed)} for {Forge.Reporting.DurationText.Count(result.EpochsCompleted, "epoch")}");
        stdout.WriteLine($"Best weights:  {result.BestCheckpoint}");
        stdout.WriteLine($"Last weights:  {result.LastCheckpoint}");
        stdout.WriteLine($"Predictions:   {predictions.Images} images, {detections} boxes, annotated images and predictions.json in {predictRun.Path}");
        stdout.WriteLine($"Try:           ./forge predict model={result.BestCheckpoint} source=<image or folder>");
        return 0;
    }
}
