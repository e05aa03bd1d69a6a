using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>Conv2d (no bias, "same" padding) + BatchNorm + SiLU: the basic block of YOLOv8 (Ultralytics' <c>Conv</c>).</summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict names (conv.weight, bn.running_mean, ...), matching Ultralytics' layout.
    readonly Conv2d conv;
    readonly BatchNorm2d bn;
    readonly bool act;

    public long OutChannels { get; }

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

    public override Tensor forward(Tensor x)
    {
        using var c = conv.forward(x);
        if (!act) return bn.forward(c);
        using var y = bn.forward(c);
        return nn.functional.silu(y);
    }
}
