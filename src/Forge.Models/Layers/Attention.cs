using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Multi-head self-attention over the H*W positions of a feature map (Ultralytics' <c>Attention</c>, used by YOLO11's
/// PSABlock): a 1x1 <c>qkv</c> Conv+BN gives per head KeyDim queries, KeyDim keys and HeadDim values; softmax(qᵀk·KeyDim^-½)
/// weights the values; a depthwise 3x3 <c>pe</c> on the values adds a positional term; a 1x1 <c>proj</c> mixes the result.
/// HeadDim = dim / heads, KeyDim = int(HeadDim * attnRatio). (N, dim, H, W) → (N, dim, H, W).
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct qkv;
    readonly ConvBnAct proj;
    readonly ConvBnAct pe;

    public int NumHeads { get; }
    public long HeadDim { get; }
    public long KeyDim { get; }
    /// <summary>Score scale KeyDim^-0.5.</summary>
    public double Scale { get; }
    public ConvBnAct Qkv => qkv;
    public ConvBnAct Proj => proj;
    public ConvBnAct PositionalEncoding => pe;

    /// <exception cref="ArgumentException">No heads, or dim not divisible by the head count.</exception>
    public Attention(long dim, int numHeads = 8, double attnRatio = 0.5) : base(nameof(Attention))
    {
        if (numHeads < 1)
            throw new ArgumentException($"Attention over {dim} channels has {numHeads} heads; it needs at least 64 channels per head (C2PSA: at least 128 channels)");
        NumHeads = numHeads;
        HeadDim = dim / numHeads;
        KeyDim = (long)(HeadDim * attnRatio);
        Scale = Math.Pow(KeyDim, -0.5);
        long h = dim + KeyDim * numHeads * 2;
        qkv = new ConvBnAct(dim, h, 1, activation: false);
        proj = new ConvBnAct(dim, dim, 1, activation: false);
        pe = new ConvBnAct(dim, dim, 3, 1, groups: dim, activation: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], n = h * w;
        var parts = qkv.forward(x).view(b, NumHeads, KeyDim * 2 + HeadDim, n).split([KeyDim, KeyDim, HeadDim], 2);
        Tensor q = parts[0], k = parts[1], v = parts[2];
        var attn = q.transpose(-2, -1).matmul(k).Times(Scale).softmax(-1);
        var y = v.matmul(attn.transpose(-2, -1)).view(b, c, h, w).Plus(pe.forward(v.reshape(b, c, h, w)));
        return proj.forward(y).MoveToOuterDisposeScope();
    }
}
