using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// YOLO11's <c>C2PSA</c>: cv1 to 2*Hidden channels, split in halves, a chain of <see cref="PsaBlock"/>s (Hidden/64 heads,
/// attention ratio 0.5) on the second half, concatenation, 1x1 cv2 back to the input width. Hidden = int(c * expansion).
/// (N, c, H, W) → (N, c, H, W).
/// </summary>
public sealed class C2Psa : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly Sequential m;
    readonly long hidden;

    public ConvBnAct Cv1 => cv1;
    public ConvBnAct Cv2 => cv2;
    /// <summary>The <see cref="PsaBlock"/> chain, registered as <c>m</c>.</summary>
    public Sequential Blocks => m;
    public long Hidden => hidden;

    /// <exception cref="ArgumentException">Input and output channels differ (C2PSA keeps the width).</exception>
    public C2Psa(long inChannels, long outChannels, int repeats = 1, double expansion = 0.5) : base("C2PSA")
    {
        if (inChannels != outChannels)
            throw new ArgumentException($"C2PSA keeps the channel count: input {inChannels} and output {outChannels} differ");
        hidden = (long)(inChannels * expansion);
        cv1 = new ConvBnAct(inChannels, 2 * hidden, 1, 1);
        cv2 = new ConvBnAct(2 * hidden, inChannels, 1);
        m = nn.Sequential(Enumerable.Range(0, repeats)
            .Select(_ => (nn.Module<Tensor, Tensor>)new PsaBlock(hidden, 0.5, (int)(hidden / 64))).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var halves = cv1.forward(x).split([hidden, hidden], 1);
        return cv2.forward(cat([halves[0], m.forward(halves[1])], 1)).MoveToOuterDisposeScope();
    }
}
