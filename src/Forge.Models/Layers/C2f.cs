using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// CSP bottleneck with two convolutions (YOLOv8's C2f): split into two halves, run n bottlenecks on the second,
/// concatenate every intermediate output and fuse with a 1x1 conv. Keeps gradient paths short at little cost.
/// </summary>
public sealed class C2f : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly ModuleList<Bottleneck> m;
    readonly long hidden;

    public C2f(long inChannels, long outChannels, int repeats, bool shortcut, double expansion = 0.5) : base(nameof(C2f))
    {
        hidden = (long)(outChannels * expansion);
        cv1 = new ConvBnAct(inChannels, 2 * hidden, 1, 1);
        cv2 = new ConvBnAct((2 + repeats) * hidden, outChannels, 1, 1);
        m = nn.ModuleList<Bottleneck>();
        for (int i = 0; i < repeats; i++) m.Add(new Bottleneck(hidden, hidden, shortcut));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>(2 + m.Count);
        parts.AddRange(cv1.forward(x).chunk(2, 1));
        foreach (var block in m) parts.Add(block.forward(parts[^1]));
        return cv2.forward(cat(parts, 1)).MoveToOuterDisposeScope();
    }
}
