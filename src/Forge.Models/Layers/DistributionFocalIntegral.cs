using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Turns each side's discrete distribution over <c>regMax</c> bins into its expected distance (softmax, then a fixed
/// 1x1 conv with weights 0..regMax-1). Ultralytics' <c>DFL</c> module; the weights are frozen.
/// </summary>
public sealed class DistributionFocalIntegral : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly int regMax;

    public DistributionFocalIntegral(int regMax = 16) : base("DFL")
    {
        this.regMax = regMax;
        conv = nn.Conv2d(regMax, 1, 1, bias: false);
        using (no_grad())
        using (NewDisposeScope())   // arange's own handle as well as the view of it
            conv.weight!.copy_(HeldScalars.Arange(regMax, ScalarType.Float32).view(1, regMax, 1, 1));
        conv.weight!.requires_grad = false;
        RegisterComponents();
    }

    /// <param name="x">(batch, 4*regMax, anchors) distribution logits.</param>
    /// <returns>(batch, 4, anchors) expected distances in grid units.</returns>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], a = x.shape[2];
        using var scope = NewDisposeScope();
        var probs = x.view(b, 4, regMax, a).transpose(2, 1).softmax(1);
        return conv.forward(probs).view(b, 4, a).MoveToOuterDisposeScope();
    }
}
