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
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                var d = g.WeightDecay != 0 ? grad.add(p, alpha: g.WeightDecay) : grad;
                if (g.Momentum != 0)
                {
                    var buf = Buffer(name, "momentum_buffer", p);
                    // A fresh buffer is zero, so the first step stores the gradient itself, as PyTorch does.
                    buf.mul_(g.Momentum).add_(d);
                    d = nesterov ? d.add(buf, alpha: g.Momentum) : buf;
                }
                p.add_(d, alpha: -g.Lr);
            }
        }
        StepCount++;
    }
}
