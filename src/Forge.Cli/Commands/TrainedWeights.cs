using Forge.Core.Config;
using Forge.Models;
using Forge.Training;
using Forge.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Cli.Commands;

/// <summary>The trained detector a val / predict command works on, from model=path.safetensors or an Ultralytics model=path.pt
/// (both through <see cref="PretrainedWeights"/>).</summary>
public sealed class TrainedWeights : IDisposable
{
    public YoloDetector Model { get; }
    public string[] Names { get; }
    public Device Device { get; }
    /// <summary>The settings the weights were trained with, when the file records them.</summary>
    public ForgeConfig? TrainArgs { get; }
    /// <summary>What was loaded, for the log (format, family, scale, classes, date, version).</summary>
    public string Description { get; }

    TrainedWeights(YoloDetector model, string[] names, Device device, ForgeConfig? trainArgs, string description)
    {
        Model = model;
        Names = names;
        Device = device;
        TrainArgs = trainArgs;
        Description = description;
    }

    /// <summary>Fails with a usage message unless model= names a weights file.</summary>
    public static void Require(ForgeConfig cfg, string mode)
    {
        if (!ModelFactory.IsWeightsFile(cfg.Model))
            throw new ConfigException($"{mode} needs trained weights: model=path/to/best.safetensors or model=path/to/weights.pt (got model={cfg.Model})");
    }

    /// <param name="processesOnThisMachine">Ranks sharing this machine's cores (val nproc=N), for the default thread count.</param>
    public static TrainedWeights Load(ForgeConfig cfg, string mode, int processesOnThisMachine = 1)
    {
        Require(cfg, mode);
        cfg.Validate();
        var device = DeviceSelector.Resolve(cfg.Device);
        DeviceSelector.ConfigureHost(cfg.Threads, processesOnThisMachine);
        using var weights = PretrainedWeights.Load(cfg.Model);
        var model = weights.CreateModel();
        model.to(device);
        return new TrainedWeights(model, weights.Names, device, weights.TrainArgs, weights.Describe());
    }

    /// <summary>The image size the weights were trained at unless imgsz= is given: a detector sees objects best at its training scale.</summary>
    public int ImageSize(ForgeConfig cfg) => cfg.IsSet("imgsz") || TrainArgs is null ? cfg.ImgSize : TrainArgs.ImgSize;

    public void Dispose() => Model.Dispose();
}
