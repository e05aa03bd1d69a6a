using static TorchSharp.torch;

namespace Forge.Training.Optimization;

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter); PyTorch's semantics. beta1 is the group's momentum.</summary>
public sealed class AdamW(IReadOnlyList<ParamGroup> groups, double beta2 = 0.999, double eps = 1e-8) : Optimizer(groups)
{
    public override string Kind => "AdamW";

    public override void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long t = StepCount + 1;
        foreach (var g in Groups)
        {
            double beta1 = g.Momentum;
            double bc1 = 1 - Math.Pow(beta1, t), bc2 = 1 - Math.Pow(beta2, t);
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (g.WeightDecay != 0) p.mul_(1 - g.Lr * g.WeightDecay);
                var m = Buffer(name, "exp_avg", p);
                var v = Buffer(name, "exp_avg_sq", p);
                m.lerp_(grad, 1 - beta1);
                v.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
                var denom = (v.sqrt() / Math.Sqrt(bc2)).add_(eps);
                p.addcdiv_(m, denom, value: -g.Lr / bc1);
            }
        }
        StepCount = t;
    }
}
