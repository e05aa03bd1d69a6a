using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// CSP bottleneck with three convolutions (Ultralytics' <c>C3</c>): cv3(cat(m(cv1(x)), cv2(x))). Hidden channels
/// int(outChannels * expansion); the blocks are Bottlenecks with kernels (1, 3) and expansion 1.0 (<see cref="C3k"/>: (k, k)).
/// (N, in, H, W) → (N, out, H, W).
/// </summary>
public class C3 : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly ConvBnAct cv3;
    readonly Sequential m;

    public ConvBnAct Cv1 => cv1;
    public ConvBnAct Cv2 => cv2;
    public ConvBnAct Cv3 => cv3;
    /// <summary>The <see cref="Bottleneck"/> chain, registered as <c>m</c>.</summary>
    public Sequential Blocks => m;

    public C3(long inChannels, long outChannels, int repeats = 1, bool shortcut = true, long groups = 1, double expansion = 0.5)
        : this(inChannels, outChannels, repeats, shortcut, groups, expansion, 1, 3, nameof(C3)) { }

    protected C3(long inChannels, long outChannels, int repeats, bool shortcut, long groups, double expansion, long kernel1, long kernel2,
                 string name) : base(name)
    {
        long hidden = (long)(outChannels * expansion);
        cv1 = new ConvBnAct(inChannels, hidden, 1, 1);
        cv2 = new ConvBnAct(inChannels, hidden, 1, 1);
        cv3 = new ConvBnAct(2 * hidden, outChannels, 1);
        m = nn.Sequential(Enumerable.Range(0, repeats)
            .Select(_ => (nn.Module<Tensor, Tensor>)new Bottleneck(hidden, hidden, shortcut, groups, kernel1, kernel2, 1.0)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return cv3.forward(cat([m.forward(cv1.forward(x)), cv2.forward(x)], 1)).MoveToOuterDisposeScope();
    }
}
