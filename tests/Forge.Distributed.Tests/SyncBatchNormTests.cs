using Forge.Torch;
using Forge.Models;
using Forge.Models.Layers;
using Forge.Testing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Distributed.Tests;

/// <summary>
/// With one process SyncBatchNorm2d must compute exactly what BatchNorm2d computes (the two-rank agreement is checked by the
/// "sync-batchnorm" harness scenarios in <see cref="MultiProcessTests"/>).
/// </summary>
public class SyncBatchNormTests
{
    const double Tolerance = 1e-6;

    /// <summary>A BatchNorm2d with Forge's eps/momentum and non-trivial weight, bias and running statistics.</summary>
    static BatchNorm2d RandomBatchNorm(long channels, int seed, bool affine = true, bool track = true)
    {
        using var g = new Generator((ulong)seed);
        var bn = nn.BatchNorm2d(channels, eps: 1e-3, momentum: 0.03, affine: affine, track_running_stats: track);
        using (no_grad())
        {
            if (affine)
            {
                bn.weight.copy_(rand(channels, generator: g).AddInPlace(0.5));
                bn.bias!.copy_(randn(channels, generator: g));
            }
            if (track)
            {
                bn.running_mean!.copy_(randn(channels, generator: g).MulInPlace(0.1));
                bn.running_var!.copy_(rand(channels, generator: g).AddInPlace(0.5));
            }
        }
        return bn;
    }

    static bool Same(Tensor a, Tensor b)
    {
        using var _ = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    static void AssertClose(Tensor? expected, Tensor? actual, string what, double tolerance = Tolerance)
    {
        Assert.True(expected is not null, $"{what}: the reference has no value");
        Assert.True(actual is not null, $"{what}: SyncBatchNorm2d has no value");
        Assert.Equal(expected!.shape, actual!.shape);
        using var _ = NewDisposeScope();
        double diff = (expected - actual).abs().max().to(ScalarType.Float64).item<double>();
        Assert.True(diff <= tolerance, $"{what}: max |difference| {diff:E3} > {tolerance:E1}");
    }

    /// <summary>Several training steps of the same inputs through both layers, comparing everything they produce.</summary>
    static void AssertTrainingMatches(BatchNorm2d reference, SyncBatchNorm2d sync, int steps = 3, bool inputGrad = true)
    {
        reference.train();
        sync.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            using var g = new Generator((ulong)(100 + step));
            var x = randn(4, reference.num_features, 5, 6, generator: g).MulInPlace(3).AddInPlace(1.5);
            var upstream = randn(x.shape, generator: g);
            var xa = x.clone().requires_grad_(inputGrad);
            var xb = x.clone().requires_grad_(inputGrad);
            var ya = HeldBatchNorm.Forward(reference, xa);   // TorchSharp's forward counts batches with an unheld Scalar
            var yb = sync.call(xb);
            AssertClose(ya, yb, $"step {step}: output");
            ya.mul(upstream).sum().backward();
            yb.mul(upstream).sum().backward();
            if (inputGrad) AssertClose(xa.grad, xb.grad, $"step {step}: input gradient");
            if (reference.weight is not null)
            {
                AssertClose(reference.weight.grad, sync.Weight!.grad, $"step {step}: weight gradient", 1e-5);
                AssertClose(reference.bias!.grad, sync.Bias!.grad, $"step {step}: bias gradient", 1e-5);
                reference.zero_grad();
                sync.zero_grad();
            }
            if (reference.running_mean is not null)
            {
                AssertClose(reference.running_mean, sync.RunningMean, $"step {step}: running mean");
                AssertClose(reference.running_var, sync.RunningVar, $"step {step}: running variance");
                Assert.Equal(reference.num_batches_tracked!.item<long>(), sync.NumBatchesTracked!.item<long>());
            }
        }
    }

    [Fact]
    public void HasBatchNormsParameterAndBufferNamesShapesAndOrder()
    {
        using var comm = new SingleProcessCommunicator();
        using var bn = RandomBatchNorm(5, seed: 1);
        using var sync = new SyncBatchNorm2d(bn, comm);
        Assert.Equal(bn.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))),
                     sync.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))));
        Assert.Equal(bn.named_buffers().Select(b => (b.name, string.Join("x", b.buffer.shape), b.buffer.dtype)),
                     sync.named_buffers().Select(b => (b.name, string.Join("x", b.buffer.shape), b.buffer.dtype)));
        Assert.Equal(bn.state_dict().Keys, sync.state_dict().Keys);
        Assert.Equal(1e-3, sync.Eps);
        Assert.Equal(0.03, sync.Momentum);
    }

    [Fact]
    public void CopiesTheStateAndStaysIndependentOfTheSource()
    {
        using var comm = new SingleProcessCommunicator();
        using var bn = RandomBatchNorm(3, seed: 2);
        bn.bias!.requires_grad_(false);   // a frozen parameter stays frozen
        bn.eval();
        using var sync = new SyncBatchNorm2d(bn, comm);
        Assert.False(sync.training);
        Assert.True(sync.Weight!.requires_grad);
        Assert.False(sync.Bias!.requires_grad);
        foreach (var (name, tensor) in bn.state_dict())
        {
            var copy = sync.state_dict()[name];
            Assert.True(Same(tensor, copy), $"{name} is copied");
        }
        using (no_grad()) bn.running_mean!.AddInPlace(1);
        Assert.False(Same(bn.running_mean!, sync.RunningMean!), "the copy does not share storage with the source");
    }

    [Fact]
    public void StateDictsLoadIntoEachOther()
    {
        using var comm = new SingleProcessCommunicator();
        using var source = RandomBatchNorm(4, seed: 3);
        using var fresh = nn.BatchNorm2d(4, eps: 1e-3, momentum: 0.03);
        using var sync = new SyncBatchNorm2d(fresh, comm);
        sync.load_state_dict(source.state_dict());
        using var back = nn.BatchNorm2d(4, eps: 1e-3, momentum: 0.03);
        back.load_state_dict(sync.state_dict());
        foreach (var (name, tensor) in source.state_dict()) Assert.True(Same(tensor, back.state_dict()[name]), name);
    }

    [Fact]
    public void TrainingMatchesBatchNorm2dInOutputGradientsAndRunningStatistics()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(6, seed: 4);
        using var sync = new SyncBatchNorm2d(reference, comm);
        AssertTrainingMatches(reference, sync);
    }

    [Fact]
    public void ParameterGradientsAreRightWhenTheInputNeedsNoGradient()
    {
        // The first layer of a detector: images do not require grad, so backward skips the input gradient and its all-reduce.
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(3, seed: 5);
        using var sync = new SyncBatchNorm2d(reference, comm);
        AssertTrainingMatches(reference, sync, steps: 2, inputGrad: false);
    }

    [Fact]
    public void CumulativeAverageWhenMomentumIsNull()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(3, seed: 6);
        reference.momentum = null;
        using var sync = new SyncBatchNorm2d(reference, comm);
        Assert.Null(sync.Momentum);
        AssertTrainingMatches(reference, sync);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void WithoutAffineOrRunningStatisticsItStillMatches(bool affine, bool track)
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(4, seed: 7, affine, track);
        using var sync = new SyncBatchNorm2d(reference, comm);
        Assert.Equal(reference.named_parameters().Count(), sync.named_parameters().Count());
        Assert.Equal(reference.named_buffers().Count(), sync.named_buffers().Count());
        AssertTrainingMatches(reference, sync, steps: 2);

        reference.eval();
        sync.eval();
        using var g = new Generator(70);
        using var x = randn(3, 4, 2, 5, generator: g);
        using var ya = HeldBatchNorm.Forward(reference, x);
        using var yb = sync.call(x);
        AssertClose(ya, yb, "evaluation output");
    }

    [Fact]
    public void EvaluationUsesTheRunningStatisticsAndLeavesThemAlone()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(5, seed: 8);
        using var sync = new SyncBatchNorm2d(reference, comm);
        AssertTrainingMatches(reference, sync, steps: 1);   // running statistics moved away from their initial values
        reference.eval();
        sync.eval();
        using var before = sync.RunningMean!.clone();
        using var g = new Generator(80);
        using var x = randn(2, 5, 4, 4, generator: g).MulInPlace(2);
        using var ya = HeldBatchNorm.Forward(reference, x);
        using var yb = sync.call(x);
        AssertClose(ya, yb, "evaluation output");
        Assert.True(Same(before, sync.RunningMean!), "evaluation does not update the running mean");
        Assert.Equal(1L, sync.NumBatchesTracked!.item<long>());
    }

    [Fact]
    public void ConvertsToFloat64WithTheModule()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(3, seed: 9);
        using var sync = new SyncBatchNorm2d(reference, comm);
        reference.to(ScalarType.Float64);
        sync.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, sync.Weight!.dtype);
        Assert.Equal(ScalarType.Float64, sync.RunningVar!.dtype);
        Assert.Equal(ScalarType.Int64, sync.NumBatchesTracked!.dtype);
        Assert.Same(sync.Weight, sync.named_parameters().Single(p => p.name == "weight").parameter);
        using var g = new Generator(90);
        using var x = randn(2, 3, 3, 3, dtype: ScalarType.Float64, generator: g);
        using var ya = HeldBatchNorm.Forward(reference, x);
        using var yb = sync.call(x);
        AssertClose(ya, yb, "float64 output", 1e-12);
    }

    [Fact]
    public void RejectsInputsItCannotNormalise()
    {
        using var comm = new SingleProcessCommunicator();
        using var bn = RandomBatchNorm(3, seed: 10);
        using var sync = new SyncBatchNorm2d(bn, comm);
        Assert.Throws<ArgumentException>(() => sync.call(randn(2, 3, 4)));
        Assert.Throws<ArgumentException>(() => sync.call(randn(2, 4, 3, 3)));
        var single = Assert.Throws<InvalidOperationException>(() => sync.call(randn(1, 3, 1, 1)));
        Assert.Contains("more than 1 value per channel", single.Message);
    }

    [Fact]
    public void ConvertReplacesEveryDetectorBatchNormKeepingNamesAndResults()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 2), seed: 11);
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 2), seed: 11);
        var names = reference.named_parameters().Select(p => p.name).Concat(reference.named_buffers().Select(b => b.name)).ToArray();
        int batchNorms = reference.modules().Count(m => m is BatchNorm2d);

        Assert.Equal(batchNorms, BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm)));
        Assert.Equal(0, model.modules().Count(m => m is BatchNorm2d));
        Assert.Equal(batchNorms, model.modules().Count(m => m is SyncBatchNorm2d));
        Assert.Equal(names, model.named_parameters().Select(p => p.name).Concat(model.named_buffers().Select(b => b.name)));
        Assert.Equal(reference.ParameterCount(), model.ParameterCount());
        Assert.Equal(0, BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm)));   // already synchronised

        reference.train();
        model.train();
        using var g = new Generator(12);
        using var images = rand(2, 3, 64, 64, generator: g);
        using var expected = reference.call(images);
        using var actual = model.call(images);
        double scale = expected.abs().max().item<float>();
        AssertClose(expected, actual, "detector output", 1e-5 * scale);
        var refState = reference.state_dict();
        foreach (var (name, tensor) in model.state_dict())
            if (name.EndsWith("running_mean") || name.EndsWith("running_var")) AssertClose(refState[name], tensor, name, 1e-5);
    }

    [Fact]
    public void ConvertRefusesBatchNormsItCannotSwap()
    {
        using var comm = new SingleProcessCommunicator();
        using var model = nn.Sequential(("block", new ConvBnAct(3, 4, 3)), ("extra", nn.BatchNorm2d(4)));
        var error = Assert.Throws<NotSupportedException>(() => BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm)));
        Assert.Contains("extra", error.Message);
        Assert.IsType<BatchNorm2d>(((ConvBnAct)model.named_children().First().module).Norm);   // nothing changed
    }

    /// <summary>
    /// amp=bf16 feeds bfloat16 activations: the layer returns bfloat16, its parameter gradients are float32, and output and
    /// gradients agree with BatchNorm2d on the same bfloat16 input within bfloat16's rounding of the output (relative 2^-8 of
    /// values up to ~4 here, so 0.05 absolute; the weight and bias gradients, sums over 4x5x5 values, 0.2).
    /// </summary>
    [Fact]
    public void BFloat16InputGivesBFloat16OutputAndFloat32Gradients()
    {
        using var comm = new SingleProcessCommunicator();
        using var reference = RandomBatchNorm(4, seed: 8);
        using var sync = new SyncBatchNorm2d(reference, comm);
        reference.train();
        sync.train();
        using var scope = NewDisposeScope();
        var input = randn([4, 4, 5, 5], generator: new Generator(9)).to(ScalarType.BFloat16);
        var upstream = randn([4, 4, 5, 5], generator: new Generator(10));
        var expected = HeldBatchNorm.Forward(reference, input);
        var actual = sync.call(input);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        AssertClose(expected.to(ScalarType.Float32), actual.to(ScalarType.Float32), "output", 0.05);
        expected.to(ScalarType.Float32).backward([upstream]);
        actual.to(ScalarType.Float32).backward([upstream]);
        Assert.Equal(ScalarType.Float32, sync.Weight!.grad!.dtype);
        AssertClose(reference.weight.grad, sync.Weight.grad, "weight gradient", 0.2);
        AssertClose(reference.bias!.grad, sync.Bias!.grad, "bias gradient", 0.2);
    }
}
