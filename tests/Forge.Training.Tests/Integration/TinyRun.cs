using Forge.Core.Config;

namespace Forge.Training.Tests.Integration;

/// <summary>The settings of the end-to-end runs: the smallest model at 64 px, so an epoch over 8 images takes well under a second.</summary>
public static class TinyRun
{
    public static ForgeConfig Config(string data, string project, string name) => new ForgeConfig()
        .With("data", data)
        .With("model", "yolov8n")
        .With("imgsz", 64)
        .With("batch", 4)
        .With("epochs", 2)
        .With("workers", 1)
        .With("plots", true)
        .With("project", project)
        .With("name", name);

    /// <summary>Trains and returns the result with everything the trainer printed.</summary>
    public static (TrainResult Result, string Log) Train(ForgeConfig cfg)
    {
        var log = new StringWriter();
        var result = new Trainer(cfg, log).Train();
        return (result, log.ToString());
    }
}
