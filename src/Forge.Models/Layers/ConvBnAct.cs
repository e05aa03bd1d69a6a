using Forge.Torch;
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
    readonly long[] stride, padding;
    readonly long groups;
    readonly long[] dilation;
    // Inference only: the BatchNorm folded into the convolution (FuseForInference); null when not fused.
    Tensor? fusedWeight, fusedBias;

    public long InChannels { get; }
    public long OutChannels { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Groups { get; }
    public long Dilation { get; }
    /// <summary>
    /// Training: keep only the convolution's output for backward and recompute BatchNorm+SiLU there
    /// (<see cref="RecomputedBatchNormSilu"/>; bitwise the same results, a third less activation memory, slower steps).
    /// Off by default; the trainer sets it from the <c>recompute</c> setting (<see cref="YoloDetector.RecomputeNormalization"/>).
    /// </summary>
    public bool RecomputeNormalization { get; set; }
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
        this.stride = [stride, stride];
        this.padding = [pad, pad];
        this.dilation = [dilation, dilation];
        this.groups = groups;
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

    /// <summary>
    /// Folds the BatchNorm's running statistics and affine parameters into one convolution weight and bias, used by
    /// <see cref="forward"/> in eval mode until <see cref="ReleaseFused"/>: y = conv(x, w * s) + (beta - mean * s), with
    /// s = gamma / sqrt(var + eps) per output channel (Ultralytics' fuse_conv_and_bn). Same outputs up to float rounding,
    /// one pass over the activation fewer. Weights changed after this call are not seen until it is called again.
    /// A replaced normalisation layer (SyncBatchNorm2d) is not fused.
    /// </summary>
    /// <param name="channelsLast">Lay the folded weight out channels_last (NHWC strides, <see cref="ChannelsLast"/>), for
    /// channels_last inputs.</param>
    public void FuseForInference(bool channelsLast = false)
    {
        ReleaseFused();
        if (bn is not BatchNorm norm || norm.running_mean is null || norm.running_var is null) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var scale = norm.running_var.Plus(norm.eps).rsqrt_();
        if (norm.weight is not null) scale = scale * norm.weight;
        var shift = norm.bias is null ? -norm.running_mean * scale : norm.bias - norm.running_mean * scale;
        var weight = conv.weight! * scale.view(-1, 1, 1, 1);
        fusedWeight = (channelsLast && !NchwConvolutions.Contains(conv) ? ChannelsLast.Of(weight) : weight).DetachFromDisposeScope();
        fusedBias = shift.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Drops the folded weights of <see cref="FuseForInference"/>; eval mode runs conv and BatchNorm again.</summary>
    public void ReleaseFused()
    {
        fusedWeight?.Dispose();
        fusedBias?.Dispose();
        fusedWeight = fusedBias = null;
    }

    public override Tensor forward(Tensor x)
    {
        if (!training && fusedWeight is not null)
        {
            var z = nn.functional.conv2d(NchwConvolutions.Input(conv, x), fusedWeight, fusedBias, stride, padding, dilation, groups: groups);
            return act ? z.silu_() : z;   // z is this call's own tensor: activated in place
        }
        using var c = conv.forward(NchwConvolutions.Input(conv, x));
        if (!act) return Normalize(c);
        // Training with RecomputeNormalization: BatchNorm+SiLU keeps only the convolution's output for backward.
        if (RecomputeNormalization && training && is_grad_enabled() && bn is BatchNorm norm && norm.weight is not null && norm.bias is not null)
            return RecomputedBatchNormSilu.Forward(norm, c);
        using var y = Normalize(c);
        return nn.functional.silu(y);
    }

    // TorchSharp's BatchNorm.forward counts batches with an unheld Scalar (HeldBatchNorm); a replacement layer is Forge's own.
    Tensor Normalize(Tensor c) => bn is BatchNorm batchNorm ? HeldBatchNorm.Forward(batchNorm, c) : bn.forward(c);
}
