using Forge.Torch;
using static TorchSharp.torch;

namespace Forge.Training.Optimization;

/// <summary>SGD with (Nesterov) momentum and L2 weight decay added to the gradient; PyTorch's semantics (dampening 0).</summary>
public sealed class Sgd(IReadOnlyList<ParamGroup> groups, bool nesterov = true) : Optimizer(groups)
{
    public override string Kind => "SGD";

    public override void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var g in Groups)
        {
            // Every Scalar is held for the whole group (HeldScalars explains why none may be implicit).
            using var weightDecay = HeldScalars.Of(g.WeightDecay);
            using var momentum = HeldScalars.Of(g.Momentum);
            using var negativeLr = HeldScalars.Of(-g.Lr);
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                var d = g.WeightDecay != 0 ? grad.add(p, weightDecay) : grad;
                if (g.Momentum != 0)
                {
                    var buf = Buffer(name, "momentum_buffer", p);
                    // A fresh buffer is zero, so the first step stores the gradient itself, as PyTorch does.
                    buf.mul_(momentum).add_(d, HeldScalars.One);
                    d = nesterov ? d.add(buf, momentum) : buf;
                }
                p.add_(d, negativeLr);
            }
        }
        StepCount++;
    }
}
