using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>Two 3x3 convs with an optional residual connection (only when input and output channels agree).</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly bool add;

    public Bottleneck(long inChannels, long outChannels, bool shortcut, double expansion = 1.0) : base(nameof(Bottleneck))
    {
        long hidden = (long)(outChannels * expansion);
        cv1 = new ConvBnAct(inChannels, hidden, 3, 1);
        cv2 = new ConvBnAct(hidden, outChannels, 3, 1);
        add = shortcut && inChannels == outChannels;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = cv1.forward(x);
        var b = cv2.forward(a);
        if (!add) return b;
        using (b) return x.Plus(b);   // not x + b: TorchSharp's + makes an unheld Scalar (HeldScalars)
    }
}
