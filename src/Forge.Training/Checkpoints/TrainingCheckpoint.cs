using Forge.Torch;
using Forge.Core.Config;
using Forge.Core.Metrics;
using Forge.Models;
using Forge.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Checkpoints;

/// <summary>
/// The full state of a training run in one checkpoint, beside the deploy weights: the training model (weights and
/// BatchNorm buffers), EMA, optimizer buffers and hyper-parameters, pending accumulated gradients, the tensor library's
/// RNG, the loop's position (<see cref="TrainingState"/>), the resolved configuration and the dataset fingerprints.
/// The data pipeline needs no RNG state: every sample's augmentation and every epoch's order are pure functions of
/// (seed, epoch, index).
/// </summary>
public static class TrainingCheckpoint
{
    public const string TrainModelPrefix = "train.";
    public const string OptimizerPrefix = "optim.";
    public const string GradientPrefix = "grad.";
    public const string RngTensor = "rng.torch";

    /// <summary>Snapshots the run; <paramref name="pendingGradients"/> stores accumulated but not yet applied gradients.</summary>
    public static CheckpointSnapshot Snapshot(TrainingParts parts, TrainingState state, RunDescription run, DetectionMetrics? metrics, bool pendingGradients)
    {
        var (model, ema, optimizer) = parts;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ckpt = new Checkpoint();
        ckpt.AddModule(Checkpoint.ModelPrefix, ema.Model);
        ckpt.AddModule(TrainModelPrefix, model);
        foreach (var (key, t) in optimizer.StateTensors) ckpt.Tensors[OptimizerPrefix + key] = t;
        if (pendingGradients)
            foreach (var (name, p) in model.named_parameters())
                if (p.grad is { } g) ckpt.Tensors[GradientPrefix + name] = g;
        ckpt.Tensors[RngTensor] = torch.get_rng_state();

        state.OptimizerKind = optimizer.Kind;
        state.OptimizerSteps = optimizer.StepCount;
        state.EmaUpdates = ema.Updates;
        state.Groups = optimizer.Groups.Select(g => new TrainingState.ParamGroupState(g.Name, g.Lr, g.InitialLr, g.Momentum, g.WeightDecay)).ToList();
        new CheckpointInfo(state.Epoch, state.BestFitness, metrics, run.Config, run.Names, model.Architecture) { ModelYaml = CheckpointInfo.ModelYamlOf(model) }.WriteTo(ckpt);
        ckpt.Metadata["train_state"] = state.ToJson();
        ckpt.SetJson("data_fingerprint", run.Fingerprint);
        return ckpt.Snapshot();
    }

    /// <summary>True when the file holds training state (not only deploy weights).</summary>
    public static bool HasTrainingState(Checkpoint ckpt) => ckpt.Get("train_state") is not null;

    public static TrainingState ReadState(Checkpoint ckpt, string source) =>
        TrainingState.FromJson(ckpt.Get("train_state") ?? throw new InvalidDataException($"{source}: holds weights only, no training state to resume from"), source);

    /// <summary>Puts a run back: every tensor copied into the live model, EMA and optimizer; LR, momentum and counters restored.</summary>
    public static TrainingState Restore(Checkpoint ckpt, string source, TrainingParts parts)
    {
        var (model, ema, optimizer) = parts;
        var state = ReadState(ckpt, source);
        RequireAll(ModelFactory.LoadMatching(model, ckpt.Section(TrainModelPrefix)), source, "training model");
        RequireAll(ModelFactory.LoadMatching(ema.Model, ckpt.Section(Checkpoint.ModelPrefix)), source, "EMA model");
        ema.Updates = state.EmaUpdates;
        if (!string.Equals(state.OptimizerKind, optimizer.Kind, StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: the run used the {state.OptimizerKind} optimizer, this one is {optimizer.Kind}");
        if (state.Groups.Count != optimizer.Groups.Count)
            throw new InvalidDataException($"{source}: {state.Groups.Count} parameter groups saved, the optimizer has {optimizer.Groups.Count}");
        foreach (var s in state.Groups)
        {
            var g = optimizer.Groups.FirstOrDefault(g => g.Name == s.Name)
                    ?? throw new InvalidDataException($"{source}: parameter group '{s.Name}' was saved, the optimizer has {string.Join(", ", optimizer.Groups.Select(g => g.Name))}");
            g.Lr = s.Lr; g.InitialLr = s.InitialLr; g.Momentum = s.Momentum; g.WeightDecay = s.WeightDecay;
        }
        optimizer.LoadState(ckpt.Section(OptimizerPrefix), state.OptimizerSteps);
        var grads = ckpt.Section(GradientPrefix);
        using (no_grad())
        using (NewDisposeScope())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (!grads.TryGetValue(name, out var saved)) { p.grad?.zero_(); continue; }
                // No gradient yet means none was accumulated since the last step on this process: make one to add into
                // (with autograd on for this one backward: inside no_grad the product would have no grad_fn).
                if (p.grad is null)
                    using (enable_grad()) p.sum().Times(0L).backward();   // held Scalar (HeldScalars)
                p.grad!.copy_(saved);
            }
        }
        if (ckpt.Tensors.TryGetValue(RngTensor, out var rng)) torch.set_rng_state(rng);
        return state;
    }

    static void RequireAll(ModelFactory.TransferReport report, string source, string what)
    {
        if (report.Missing.Count > 0 || report.Skipped.Count > 0)
            throw new InvalidDataException($"{source}: the {what} in the checkpoint does not fit this model: {report.Describe()}");
    }
}

/// <summary>The live objects a checkpoint captures and restores: the training model, its EMA and the optimizer.</summary>
public sealed record TrainingParts(YoloDetector Model, ModelEma Ema, Optimizer Optimizer);

/// <summary>What a checkpoint records about its run beside the tensors: the settings, class names and data fingerprint.</summary>
public sealed record RunDescription(ForgeConfig Config, string[] Names, DataFingerprint Fingerprint);

/// <summary>Identifies the data a run trained on, so resuming on different data is noticed.</summary>
public sealed record DataFingerprint(string Train, string? Val, int TrainImages, int ValImages)
{
    /// <summary>"16 train images (sha256 1a2b3c4d5e6f), 4 val images (sha256 ...)", to compare datasets in messages.</summary>
    public string Describe() => $"{TrainImages} train images (sha256 {Train[..Math.Min(12, Train.Length)]}), " +
                                $"{ValImages} val images" + (Val is null ? "" : $" (sha256 {Val[..Math.Min(12, Val.Length)]})");
}
