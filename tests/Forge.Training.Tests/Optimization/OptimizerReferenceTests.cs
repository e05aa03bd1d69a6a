using Forge.Torch;
using Forge.Training.Optimization;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using ParamGroup = Forge.Training.Optimization.ParamGroup;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Optimization;

/// <summary>
/// Forge's own SGD and AdamW against TorchSharp's built-in optimizers (PyTorch's algorithms) on identical parameters and
/// gradients, with the learning rate and momentum changing every step as they do during warm-up.
/// </summary>
[Collection(TorchSharpReferenceCollection.Name)]
public class OptimizerReferenceTests
{
    const int Steps = 5;
    static readonly long[][] Shapes = [[4, 3], [5], [2, 3, 2]];

    static double LrAt(int step) => 0.05 * (1 + 0.4 * Math.Sin(step + 1));
    static double MomentumAt(int step) => 0.8 + 0.03 * step;

    /// <summary>The same start values and per-step gradients for both implementations.</summary>
    sealed class Problem
    {
        public readonly Tensor[] Start;
        public readonly Tensor[][] Grads;   // [step][param]

        public Problem(int seed)
        {
            var gen = new Generator((ulong)seed);
            Start = Shapes.Select(s => randn(s, generator: gen)).ToArray();
            Grads = Enumerable.Range(0, Steps).Select(_ => Shapes.Select(s => randn(s, generator: gen)).ToArray()).ToArray();
        }
    }

    /// <summary>Group 0: first parameter without weight decay; group 1: the rest with it (as biases and weights are split).</summary>
    static List<ParamGroup> ForgeGroups(Tensor[] ps, double weightDecay, double momentum) =>
    [
        new("bias", [("p0", ps[0])], 0) { Lr = LrAt(0), InitialLr = LrAt(0), Momentum = momentum },
        new("weight", [("p1", ps[1]), ("p2", ps[2])], weightDecay) { Lr = LrAt(0), InitialLr = LrAt(0), Momentum = momentum },
    ];

    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(true, 0.05)]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.05)]
    public void SgdMatchesTorchSharp(bool nesterov, double weightDecay)
    {
        var problem = new Problem(11);
        var mine = problem.Start.Select(Leaf).ToArray();
        var theirs = problem.Start.Select(t => new Parameter(t.clone())).ToArray();

        using var forge = new Sgd(ForgeGroups(mine, weightDecay, MomentumAt(0)), nesterov);
        // One reference optimizer per Forge group, so each has its own weight decay.
        var reference = new[]
        {
            torch.optim.SGD([theirs[0]], LrAt(0), momentum: MomentumAt(0), weight_decay: 0, nesterov: nesterov),
            torch.optim.SGD([theirs[1], theirs[2]], LrAt(0), momentum: MomentumAt(0), weight_decay: weightDecay, nesterov: nesterov),
        };

        for (int step = 0; step < Steps; step++)
        {
            foreach (var g in forge.Groups) { g.Lr = LrAt(step); g.Momentum = MomentumAt(step); }
            foreach (var r in reference)
            {
                // The optimizer-level Momentum/Betas setters only change defaults: set each group's own.
                foreach (var pg in r.ParamGroups)
                {
                    pg.LearningRate = LrAt(step);
                    ((torch.optim.IMomentum)pg).Momentum = MomentumAt(step);
                }
            }
            forge.ZeroGrad();
            foreach (var r in reference) r.zero_grad();
            for (int i = 0; i < mine.Length; i++)
            {
                SetGrad(mine[i], problem.Grads[step][i]);
                SetGrad(theirs[i], problem.Grads[step][i]);
            }
            forge.Step();
            TorchSharpReference.Run(() => { foreach (var r in reference) r.step(); });

            for (int i = 0; i < mine.Length; i++)
                Assert.True(MaxAbsDiff(mine[i], theirs[i]) < 1e-6, $"step {step}, parameter {i}: differs by {MaxAbsDiff(mine[i], theirs[i])}");
        }
        Assert.Equal(Steps, forge.StepCount);
        // The comparison means something only if the parameters moved.
        Assert.All(Enumerable.Range(0, mine.Length), i => Assert.True(MaxAbsDiff(mine[i], problem.Start[i]) > 0.05));
        // Every parameter with momentum has its named buffer.
        Assert.Equal(["p0/momentum_buffer", "p1/momentum_buffer", "p2/momentum_buffer"], forge.StateTensors.Keys.Order());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void AdamWMatchesTorchSharp(double weightDecay)
    {
        var problem = new Problem(23);
        var mine = problem.Start.Select(Leaf).ToArray();
        var theirs = problem.Start.Select(t => new Parameter(t.clone())).ToArray();
        const double beta2 = 0.999, eps = 1e-8;

        using var forge = new AdamW(ForgeGroups(mine, weightDecay, MomentumAt(0)), beta2, eps);
        var reference = new[]
        {
            torch.optim.AdamW([theirs[0]], LrAt(0), beta1: MomentumAt(0), beta2: beta2, eps: eps, weight_decay: 0),
            torch.optim.AdamW([theirs[1], theirs[2]], LrAt(0), beta1: MomentumAt(0), beta2: beta2, eps: eps, weight_decay: weightDecay),
        };

        for (int step = 0; step < Steps; step++)
        {
            foreach (var g in forge.Groups) { g.Lr = LrAt(step); g.Momentum = MomentumAt(step); }
            foreach (var r in reference)
            {
                foreach (var pg in r.ParamGroups)
                {
                    pg.LearningRate = LrAt(step);
                    ((torch.optim.IBetas)pg).Betas = (MomentumAt(step), beta2);
                }
            }
            forge.ZeroGrad();
            foreach (var r in reference) r.zero_grad();
            for (int i = 0; i < mine.Length; i++)
            {
                SetGrad(mine[i], problem.Grads[step][i]);
                SetGrad(theirs[i], problem.Grads[step][i]);
            }
            forge.Step();
            TorchSharpReference.Run(() => { foreach (var r in reference) r.step(); });

            for (int i = 0; i < mine.Length; i++)
                Assert.True(MaxAbsDiff(mine[i], theirs[i]) < 1e-6, $"step {step}, parameter {i}: differs by {MaxAbsDiff(mine[i], theirs[i])}");
        }
        Assert.Equal(Steps, forge.StepCount);
        Assert.All(Enumerable.Range(0, mine.Length), i => Assert.True(MaxAbsDiff(mine[i], problem.Start[i]) > 0.05));
        Assert.Equal(6, forge.StateTensors.Count);
        Assert.Contains("p2/exp_avg", forge.StateTensors.Keys);
        Assert.Contains("p2/exp_avg_sq", forge.StateTensors.Keys);
    }

    [Fact]
    public void FirstAdamWStepMovesEachElementByLr()
    {
        // With bias correction the first step is lr * g / (|g| + eps): every element moves by almost exactly lr.
        var p = Leaf(tensor(new float[] { 1f, -2f, 3f }));
        using var opt = new AdamW([new ParamGroup("g", [("p", p)], 0) { Lr = 0.01, Momentum = 0.9 }]);
        SetGrad(p, tensor(new float[] { 0.5f, -3f, 1e-3f }));
        opt.Step();
        var after = p.data<float>().ToArray();
        Assert.Equal(1f - 0.01f, after[0], 6);
        Assert.Equal(-2f + 0.01f, after[1], 6);
        Assert.Equal(3f - 0.01f * (1e-3f / (1e-3f + 1e-8f)), after[2], 6);
    }

    [Fact]
    public void SgdHandComputedNesterovSteps()
    {
        // lr 0.1, momentum 0.9, decay 0.5, nesterov. p = 1, g = 2 then 2.
        // step 1: d = 2 + 0.5*1 = 2.5; buf = 2.5; update = 2.5 + 0.9*2.5 = 4.75; p = 1 - 0.475 = 0.525
        // step 2: d = 2 + 0.5*0.525 = 2.2625; buf = 0.9*2.5 + 2.2625 = 4.5125; update = 2.2625 + 0.9*4.5125 = 6.32375; p = 0.525 - 0.632375
        var p = Leaf(tensor(new double[] { 1.0 }));
        using var opt = new Sgd([new ParamGroup("g", [("p", p)], 0.5) { Lr = 0.1, Momentum = 0.9 }], nesterov: true);
        for (int i = 0; i < 2; i++)
        {
            opt.ZeroGrad();
            SetGrad(p, tensor(new double[] { 2.0 }));
            opt.Step();
        }
        Assert.Equal(0.525 - 0.632375, p.data<double>()[0], 12);
        Assert.Equal(4.5125, opt.StateTensors["p/momentum_buffer"].data<double>()[0], 12);
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        var used = Leaf(ones(3));
        var unused = Leaf(ones(2));
        using var opt = new Sgd([new ParamGroup("g", [("used", used), ("unused", unused)], 0.1) { Lr = 0.5, Momentum = 0.9 }]);
        SetGrad(used, ones(3));
        opt.Step();
        Assert.True(BitwiseEqual(unused, ones(2)));
        Assert.False(opt.StateTensors.ContainsKey("unused/momentum_buffer"));
        Assert.True(MaxAbsDiff(used, ones(3)) > 0.5);
    }

    [Fact]
    public void ZeroGradClearsGradients()
    {
        var p = Leaf(ones(4));
        using var opt = new Sgd([new ParamGroup("g", [("p", p)], 0) { Lr = 0.1 }]);
        using var three = HeldScalars.Of(3.0);
        SetGrad(p, full(4, three));
        opt.ZeroGrad();
        Assert.True(BitwiseEqual(p.grad!, zeros(4)));
    }
}
