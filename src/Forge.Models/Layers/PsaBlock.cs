using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Position-sensitive attention block (Ultralytics' <c>PSABlock</c>): x + attn(x), then x + ffn(x) with ffn a 1x1
/// Conv to 2c (SiLU) and a 1x1 linear Conv back to c (residuals only with <c>shortcut</c>). (N, c, H, W) → (N, c, H, W).
/// </summary>
public sealed class PsaBlock : nn.Module<Tensor, Tensor>
{
    readonly Attention attn;
    readonly Sequential ffn;
    readonly bool add;

    public Attention Attention => attn;
    /// <summary>The feed-forward pair, registered as <c>ffn</c> (two <see cref="ConvBnAct"/>).</summary>
    public Sequential FeedForward => ffn;
    public bool Residual => add;

    public PsaBlock(long channels, double attnRatio = 0.5, int numHeads = 4, bool shortcut = true) : base("PSABlock")
    {
        attn = new Attention(channels, numHeads, attnRatio);
        ffn = nn.Sequential(new ConvBnAct(channels, channels * 2, 1), new ConvBnAct(channels * 2, channels, 1, activation: false));
        add = shortcut;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = add ? x.Plus(attn.forward(x)) : attn.forward(x);
        y = add ? y.Plus(ffn.forward(y)) : ffn.forward(y);
        return y.MoveToOuterDisposeScope();
    }
}
