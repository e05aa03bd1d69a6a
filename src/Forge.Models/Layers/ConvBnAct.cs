using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Conv2d (no bias, "same" padding) + BatchNorm + SiLU: the basic block of YOLOv8 and YOLO11 (Ultralytics' <c>Conv</c>;
/// <c>DWConv</c> is this with groups = gcd(in, out)). Input (N, InChannels, H, W), output (N, OutChannels, H/Stride, W/Stride).
/// </summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    const string NormName = "bn";

    // Field names are the state-dict names (conv.weight, bn.running_mean, ...), matching Ultralytics' layout.
    readonly Conv2d conv;
    // Typed as any Tensor->Tensor module so distributed training can swap in a synchronised BatchNorm (ReplaceNorm).
    nn.Module<Tensor, Tensor> bn;
    readonly bool act;

    public long InChannels { get; }
    public long OutChannels { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Groups { get; }
    public long Dilation { get; }
    /// <summary>True when SiLU follows the BatchNorm (Ultralytics' act=True); false for a linear Conv+BN.</summary>
    public bool Activation => act;
    /// <summary>The convolution, registered as <c>conv</c> (weight (OutChannels, InChannels/Groups, Kernel, Kernel), no bias).</summary>
    public Conv2d Conv => conv;

    /// <summary>The normalisation layer, registered as <c>bn</c>: a BatchNorm2d unless <see cref="ReplaceNorm"/> swapped it.</summary>
    public nn.Module<Tensor, Tensor> Norm => bn;

    /// <param name="padding">Default: "same" for odd kernels, (dilation*(kernel-1)+1)/2 (Ultralytics' autopad).</param>
    public ConvBnAct(long inChannels, long outChannels, long kernel = 1, long stride = 1, long groups = 1, bool activation = true,
                     long? padding = null, long dilation = 1)
        : base(nameof(ConvBnAct))
    {
        long pad = padding ?? (dilation * (kernel - 1) + 1) / 2;
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: pad, dilation: dilation, groups: groups, bias: false);
        // Ultralytics sets eps 1e-3 and momentum 0.03 on every BatchNorm (initialize_weights).
        bn = nn.BatchNorm2d(outChannels, eps: 1e-3, momentum: 0.03);
        act = activation;
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = pad;
        Groups = groups;
        Dilation = dilation;
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
        if (!act) return bn.forward(c);
        using var y = bn.forward(c);
        return nn.functional.silu(y);
    }
}
