using Forge.Models;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// Exponential moving average of the model's weights and buffers (Ultralytics' ModelEMA): decay ramps up as
/// 0.9999 * (1 - exp(-updates / 2000)) so early updates follow the model closely. The EMA is what gets validated and saved.
/// </summary>
public sealed class ModelEma : IDisposable
{
    readonly List<(Tensor Ema, Tensor Source)> pairs = new();
    readonly double maxDecay;
    readonly double tau;

    public YoloDetector Model { get; }
    public long Updates { get; set; }

    public ModelEma(YoloDetector source, Func<YoloDetector> factory, double decay = 0.9999, double tau = 2000, long updates = 0)
    {
        Model = factory();
        Model.eval();
        maxDecay = decay;
        this.tau = tau;
        Updates = updates;
        var src = source.state_dict();
        var dst = Model.state_dict();
        foreach (var (name, t) in dst)
        {
            if (!src.TryGetValue(name, out var s)) throw new InvalidOperationException($"EMA model has '{name}' but the source model does not");
            t.requires_grad_(false);
            pairs.Add((t, s));
        }
        CopyFrom();
    }

    public double CurrentDecay => maxDecay * (1 - Math.Exp(-Updates / tau));

    /// <summary>Copies the source exactly (start of training, or after loading weights).</summary>
    public void CopyFrom()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (e, s) in pairs) e.copy_(s);
    }

    public void Update()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Updates++;
        double d = CurrentDecay;
        using var decay = HeldScalars.Of(d);          // held: HeldScalars explains why none may be implicit
        using var oneMinusDecay = HeldScalars.Of(1 - d);
        foreach (var (e, s) in pairs)
        {
            if (torch.is_floating_point(e)) e.mul_(decay).add_(s.detach(), oneMinusDecay);
            else e.copy_(s);   // integer buffers (BatchNorm's num_batches_tracked) follow the model
        }
    }

    public void Dispose() => Model.Dispose();
}
