using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>Conv2d (no bias, "same" padding) + BatchNorm + SiLU: the basic block of YOLOv8 (Ultralytics' <c>Conv</c>).</summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    const string NormName = "bn";

    // Field names are the state-dict names (conv.weight, bn.running_mean, ...), matching Ultralytics' layout.
    readonly Conv2d conv;
    // Typed as any Tensor->Tensor module so distributed training can swap in a synchronised BatchNorm (ReplaceNorm).
    nn.Module<Tensor, Tensor> bn;
    readonly bool act;

    public long OutChannels { get; }

    /// <summary>The normalisation layer, registered as <c>bn</c>: a BatchNorm2d unless <see cref="ReplaceNorm"/> swapped it.</summary>
    public nn.Module<Tensor, Tensor> Norm => bn;

    public ConvBnAct(long inChannels, long outChannels, long kernel = 1, long stride = 1, long groups = 1, bool activation = true)
        : base(nameof(ConvBnAct))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false);
        // Ultralytics sets eps 1e-3 and momentum 0.03 on every BatchNorm (initialize_weights).
        bn = nn.BatchNorm2d(outChannels, eps: 1e-3, momentum: 0.03);
        act = activation;
        OutChannels = outChannels;
        RegisterComponents();
    }

    /// <summary>
    /// Puts <paramref name="norm"/> in place of the normalisation layer under the same name <c>bn</c>, so parameter and
    /// state-dict names do not change. Returns the previous layer, which the caller now owns (and usually disposes).
    /// </summary>
    public nn.Module<Tensor, Tensor> ReplaceNorm(nn.Module<Tensor, Tensor> norm)
    {
        ArgumentNullException.ThrowIfNull(norm);
        var previous = bn;
        // "bn" is the last child (after "conv"), so re-registering it keeps the parameter order as well as the names.
        _internal_submodules.Remove(NormName);
        register_module(NormName, norm);
        bn = norm;
        return previous;
    }

    public override Tensor forward(Tensor x)
    {
        using var c = conv.forward(x);
        if (!act) return Normalize(c);
        using var y = Normalize(c);
        return nn.functional.silu(y);
    }

    // TorchSharp's BatchNorm.forward counts batches with an unheld Scalar (HeldBatchNorm); a replacement layer is Forge's own.
    Tensor Normalize(Tensor c) => bn is BatchNorm batchNorm ? HeldBatchNorm.Forward(batchNorm, c) : bn.forward(c);
}
