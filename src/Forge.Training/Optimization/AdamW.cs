using Forge.Torch;
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
            // Every Scalar is held for the whole group (HeldScalars explains why none may be implicit).
            using var decay = HeldScalars.Of(1 - g.Lr * g.WeightDecay);
            using var beta2S = HeldScalars.Of(beta2);
            using var oneMinusBeta2 = HeldScalars.Of(1 - beta2);
            using var sqrtBc2 = HeldScalars.Of(Math.Sqrt(bc2));
            using var epsS = HeldScalars.Of(eps);
            using var stepSize = HeldScalars.Of(-g.Lr / bc1);
            using var lerpWeight = tensor(1 - beta1);
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (g.WeightDecay != 0) p.mul_(decay);
                var m = Buffer(name, "exp_avg", p);
                var v = Buffer(name, "exp_avg_sq", p);
                m.lerp_(grad, lerpWeight);
                v.mul_(beta2S).addcmul_(grad, grad, oneMinusBeta2);
                var denom = v.sqrt().div_(sqrtBc2).add_(epsS, HeldScalars.One);
                p.addcdiv_(m, denom, stepSize);
            }
        }
        StepCount = t;
    }
}
