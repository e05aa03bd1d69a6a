using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Two convolutions (kernels <see cref="Cv1"/>.Kernel, <see cref="Cv2"/>.Kernel) with a residual connection when
/// <c>shortcut</c> is set and input and output channels agree (Ultralytics' <c>Bottleneck</c>). Hidden channels
/// int(outChannels * expansion). (N, in, H, W) → (N, out, H, W).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly bool add;

    public ConvBnAct Cv1 => cv1;
    public ConvBnAct Cv2 => cv2;
    /// <summary>True when the input is added to the output.</summary>
    public bool Residual => add;

    public Bottleneck(long inChannels, long outChannels, bool shortcut = true, long groups = 1, long kernel1 = 3, long kernel2 = 3,
                      double expansion = 0.5) : base(nameof(Bottleneck))
    {
        long hidden = (long)(outChannels * expansion);
        cv1 = new ConvBnAct(inChannels, hidden, kernel1, 1);
        cv2 = new ConvBnAct(hidden, outChannels, kernel2, 1, groups: groups);
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
