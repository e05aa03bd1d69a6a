using Forge.Models;
using Forge.Models.Loss;
using Forge.Testing;
using Forge.Training.Optimization;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Optimization;

/// <summary>
/// The optimizer, EMA, clipping and loss paths under a thread that forces garbage collections and finalizers without pause.
/// Before Forge held its Scalars (Forge.Torch.HeldScalars) AdamW and SGD aborted the process here within about two seconds
/// ("Exception raised from toFloat", exit 134). Each case runs for a bounded wall time; nothing is timed or compared.
/// The collections are forced while no other test of the process runs (a collection without parallelization): test code and
/// TorchSharp's own module forwards are not held-Scalar checked (ScalarLifetimeTests scans src), and a forced collection
/// during such a test elsewhere in the process was seen to abort the whole test host (Scalar::toDouble) once.
/// </summary>
[Collection(GcPressureCollection.Name)]
public class GcPressureTests
{
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(1.5);

    [Theory]
    [InlineData("AdamW")]
    [InlineData("SGD")]
    [InlineData("clip")]
    public void OptimizerStepsAndClippingSurviveConstantCollections(string kind)
    {
        var ps = Enumerable.Range(0, 300).Select(i => ($"p{i}", randn(8).requires_grad_())).ToList();
        foreach (var (_, p) in ps) p.grad = randn(8);
        var group = new ParamGroup("w", ps, 0.0005) { Lr = 0.001, Momentum = 0.9 };
        using Optimizer opt = kind == "SGD" ? new Sgd([group]) : new AdamW([group]);
        int steps = RunUnderCollections(kind == "clip" ? () => GradientClipping.ClipByTotalNorm(ps.Select(x => x.Item2), 10.0) : opt.Step);
        Assert.True(steps > 0);
        Assert.True(ps.All(x => isfinite(x.Item2).all().item<bool>()));
        foreach (var (_, p) in ps) p.Dispose();
    }

    [Fact]
    public void EmaUpdatesSurviveConstantCollections()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        using var ema = new ModelEma(model, () => new YoloDetector(ModelScale.N, 2));
        int updates = RunUnderCollections(ema.Update);
        Assert.Equal(updates, ema.Updates);
    }

    [Fact]
    public void LossAndBackwardSurviveConstantCollections()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 1);
        model.train();
        var loss = new DetectionLoss(model);
        float[] rows = [0, 1, 0.5f, 0.5f, 0.4f, 0.3f, 1, 2, 0.3f, 0.6f, 0.2f, 0.5f];
        using var targets = new TargetBatch(rows, 2, 2, 64, 64, CPU);
        using var images = rand(2, 3, 64, 64);
        int passes = RunUnderCollections(() =>
        {
            using var scope = NewDisposeScope();
            var (total, _) = loss.Compute(model.forward(images), targets, 64, 64);
            total.backward();
            Assert.True(float.IsFinite(total.item<float>()));
        });
        Assert.True(passes > 0);
    }

    /// <summary>Runs <paramref name="work"/> repeatedly for <see cref="Budget"/> while another thread collects; returns the count.</summary>
    static int RunUnderCollections(Action work)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            // Gen-0 collections: cheap, so they come thousands of times a second, and a fresh Scalar is a gen-0 object.
            while (!Volatile.Read(ref stop)) { GC.Collect(0); GC.WaitForPendingFinalizers(); }
        }) { IsBackground = true };
        collector.Start();
        int runs = 0;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < Budget || runs == 0) { work(); runs++; }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        return runs;
    }
}

/// <summary>Runs <see cref="GcPressureTests"/> alone: after the parallel tests, never beside another test of the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GcPressureCollection
{
    public const string Name = "GC pressure";
}
