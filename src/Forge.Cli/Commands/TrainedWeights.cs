using Forge.Core.Config;
using Forge.Models;
using Forge.Training;
using Forge.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Cli.Commands;

/// <summary>The trained detector a val / predict / export command works on, from model=path.safetensors.</summary>
public sealed class TrainedWeights : IDisposable
{
    public YoloDetector Model { get; }
    public string[] Names { get; }
    public Device Device { get; }
    /// <summary>The settings the weights were trained with, when the file records them.</summary>
    public ForgeConfig? TrainArgs { get; }

    TrainedWeights(YoloDetector model, string[] names, Device device, ForgeConfig? trainArgs)
    {
        Model = model;
        Names = names;
        Device = device;
        TrainArgs = trainArgs;
    }

    /// <summary>Fails with a usage message unless model= names a weights file.</summary>
    public static void Require(ForgeConfig cfg, string mode)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model))
            throw new ConfigException($"{mode} needs trained weights: model=path/to/best.safetensors (got model={cfg.Model})");
    }

    /// <param name="processesOnThisMachine">Ranks sharing this machine's cores (val nproc=N), for the default thread count.</param>
    public static TrainedWeights Load(ForgeConfig cfg, string mode, int processesOnThisMachine = 1)
    {
        Require(cfg, mode);
        cfg.Validate();
        var device = DeviceSelector.Resolve(cfg.Device);
        DeviceSelector.ConfigureThreads(cfg.Threads, processesOnThisMachine);
        var (model, names) = ModelFactory.FromCheckpoint(cfg.Model);
        model.to(device);
        return new TrainedWeights(model, names, device, CheckpointInfo.ReadTrainArgs(cfg.Model));
    }

    /// <summary>The image size the weights were trained at unless imgsz= is given: a detector sees objects best at its training scale.</summary>
    public int ImageSize(ForgeConfig cfg) => cfg.IsSet("imgsz") || TrainArgs is null ? cfg.ImgSize : TrainArgs.ImgSize;

    public void Dispose() => Model.Dispose();
}
