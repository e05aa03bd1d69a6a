using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// CSP bottleneck with two convolutions (YOLOv8's <c>C2f</c>): cv1 to 2*Hidden channels, split in halves, run the blocks
/// one after another on the second half, concatenate both halves and every block output, fuse with the 1x1 cv2.
/// Hidden = int(outChannels * expansion). (N, in, H, W) → (N, out, H, W). <see cref="C3k2"/> is the same with other blocks.
/// </summary>
public class C2f : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly ModuleList<nn.Module<Tensor, Tensor>> m;
    readonly long hidden;

    public ConvBnAct Cv1 => cv1;
    public ConvBnAct Cv2 => cv2;
    /// <summary>The blocks run on the second half, registered as <c>m</c> (<see cref="Bottleneck"/> or <see cref="C3k"/>).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Blocks => new System.Collections.ObjectModel.ReadOnlyCollection<nn.Module<Tensor, Tensor>>(m);
    public long Hidden => hidden;

    /// <summary>YOLOv8's C2f: repeats Bottlenecks with 3x3 kernels and expansion 1.0 (arguments as Ultralytics' C2f(c1, c2, n, shortcut, g, e)).</summary>
    public C2f(long inChannels, long outChannels, int repeats = 1, bool shortcut = false, long groups = 1, double expansion = 0.5)
        : this(inChannels, outChannels, repeats, expansion, c => new Bottleneck(c, c, shortcut, groups, 3, 3, 1.0), nameof(C2f)) { }

    /// <param name="block">Builds one block for <see cref="Hidden"/> channels.</param>
    protected C2f(long inChannels, long outChannels, int repeats, double expansion, Func<long, nn.Module<Tensor, Tensor>> block, string name)
        : base(name)
    {
        hidden = (long)(outChannels * expansion);
        cv1 = new ConvBnAct(inChannels, 2 * hidden, 1, 1);
        cv2 = new ConvBnAct((2 + repeats) * hidden, outChannels, 1, 1);
        m = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < repeats; i++) m.Add(block(hidden));
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
