using Forge.Torch;
using Forge.Training.Checkpoints;
using Forge.Training.Optimization;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Optimization;

/// <summary>Optimizer state saved through a checkpoint file and restored must continue exactly where it stopped.</summary>
public sealed class OptimizerStateTests : IDisposable
{
    const int Steps = 8, SaveAfter = 4;
    static readonly long[][] Shapes = [[3, 2], [4], [2, 2, 2]];
    readonly string dir = Directory.CreateTempSubdirectory("forge-optstate-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static double LrAt(int step) => 0.02 * (1 + 0.5 * Math.Cos(step));
    static double MomentumAt(int step) => Math.Min(0.937, 0.8 + 0.05 * step);

    static Optimizer Build(string kind, Tensor[] ps)
    {
        var groups = new List<ParamGroup>
        {
            new("bias", [("p0", ps[0])], 0),
            new("weight", [("p1", ps[1]), ("p2", ps[2])], 0.01),
        };
        foreach (var g in groups) { g.InitialLr = LrAt(0); g.Lr = LrAt(0); g.Momentum = MomentumAt(0); }
        return kind == "SGD" ? new Sgd(groups, nesterov: true) : new AdamW(groups);
    }

    static void TakeStep(Optimizer opt, Tensor[] ps, Tensor[] grads, int step)
    {
        foreach (var g in opt.Groups) { g.Lr = LrAt(step); g.Momentum = MomentumAt(step); }
        opt.ZeroGrad();
        for (int i = 0; i < ps.Length; i++) SetGrad(ps[i], grads[i]);
        opt.Step();
    }

    [Theory]
    [InlineData("SGD", false)]
    [InlineData("SGD", true)]
    [InlineData("AdamW", false)]
    [InlineData("AdamW", true)]
    public void RestoredOptimizerContinuesBitwiseIdentically(string kind, bool restoreIntoUsedOptimizer)
    {
        var gen = new Generator(99);
        var start = Shapes.Select(s => randn(s, generator: gen)).ToArray();
        var grads = Enumerable.Range(0, Steps).Select(_ => Shapes.Select(s => randn(s, generator: gen)).ToArray()).ToArray();

        // Uninterrupted run.
        var a = start.Select(Leaf).ToArray();
        using var optA = Build(kind, a);
        for (int s = 0; s < Steps; s++) TakeStep(optA, a, grads[s], s);

        // Interrupted run: save parameters and optimizer state after SaveAfter steps.
        var b = start.Select(Leaf).ToArray();
        var path = Path.Combine(dir, "last.safetensors");
        using (var optB = Build(kind, b))
        {
            for (int s = 0; s < SaveAfter; s++) TakeStep(optB, b, grads[s], s);
            using var ckpt = new Checkpoint();
            for (int i = 0; i < b.Length; i++) ckpt.Tensors[$"model.p{i}"] = b[i];
            foreach (var (key, t) in optB.StateTensors) ckpt.Tensors["optimizer." + key] = t;
            ckpt.Metadata["optimizer_steps"] = optB.StepCount.ToString();
            ckpt.Save(path);
        }

        // Resume in a fresh process-like setting: new parameters and optimizer, from the file only.
        using var loaded = Checkpoint.Load(path);
        var model = loaded.Section("model.");
        var c = Enumerable.Range(0, Shapes.Length).Select(i => Leaf(model[$"p{i}"])).ToArray();
        using var optC = Build(kind, c);
        if (restoreIntoUsedOptimizer)
        {
            // Buffers already exist: LoadState must overwrite them in place.
            TakeStep(optC, c, Shapes.Select(s => randn(s, generator: gen)).ToArray(), 0);
            using (no_grad()) for (int i = 0; i < c.Length; i++) c[i].copy_(model[$"p{i}"]);
        }
        optC.LoadState(loaded.Section("optimizer."), long.Parse(loaded.Metadata["optimizer_steps"]));
        Assert.Equal(SaveAfter, optC.StepCount);
        Assert.Equal(optA.StateTensors.Keys.Order(), optC.StateTensors.Keys.Order());

        for (int s = SaveAfter; s < Steps; s++) TakeStep(optC, c, grads[s], s);
        for (int i = 0; i < a.Length; i++) Assert.True(BitwiseEqual(a[i], c[i]), $"parameter {i} differs by {MaxAbsDiff(a[i], c[i])}");
        foreach (var (key, t) in optA.StateTensors) Assert.True(BitwiseEqual(t, optC.StateTensors[key]), key);
        Assert.Equal(optA.StepCount, optC.StepCount);
    }

    [Fact]
    public void StateWithTheWrongShapeIsRejected()
    {
        var p = Leaf(ones(3));
        using var opt = new Sgd([new ParamGroup("g", [("p", p)], 0) { Lr = 0.1, Momentum = 0.9 }]);
        SetGrad(p, ones(3));
        opt.Step();
        var e = Assert.Throws<InvalidDataException>(() => opt.LoadState(new Dictionary<string, Tensor> { ["p/momentum_buffer"] = zeros(4) }, 1));
        Assert.Contains("p/momentum_buffer", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void LoadedStateIsACopy()
    {
        var p = Leaf(ones(2));
        using var opt = new Sgd([new ParamGroup("g", [("p", p)], 0) { Lr = 0.1, Momentum = 0.9 }]);
        using var five = HeldScalars.Of(5.0);
        using var minusOne = HeldScalars.Of(-1.0);
        var source = full(2, five);
        opt.LoadState(new Dictionary<string, Tensor> { ["p/momentum_buffer"] = source }, 7);
        source.fill_(minusOne);   // the caller may dispose or reuse its tensors
        Assert.True(BitwiseEqual(opt.StateTensors["p/momentum_buffer"], full(2, five)));
        Assert.Equal(7, opt.StepCount);
    }
}
