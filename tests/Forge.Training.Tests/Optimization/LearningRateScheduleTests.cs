using Forge.Training.Optimization;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Optimization;

/// <summary>Ultralytics' per-epoch LR factor and per-iteration warm-up (np.interp between the end points).</summary>
public class LearningRateScheduleTests
{
    const int Epochs = 10;
    const double Lrf = 0.01;

    static LearningRateSchedule Linear() => new(Epochs, Lrf, cosine: false, warmupBiasLr: 0.1, warmupMomentum: 0.8, momentum: 0.937);
    static LearningRateSchedule Cosine() => new(Epochs, Lrf, cosine: true, warmupBiasLr: 0.1, warmupMomentum: 0.8, momentum: 0.937);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(2.5, 0.7525)]        // 0.75 * 0.99 + 0.01
    [InlineData(5, 0.505)]           // 0.5 * 0.99 + 0.01
    [InlineData(9, 0.109)]           // 0.1 * 0.99 + 0.01
    [InlineData(10, 0.01)]
    [InlineData(12, 0.01)]           // clamped after the last epoch
    public void LinearFactor(double epoch, double expected)
    {
        Assert.Equal(expected, Linear().Factor(epoch), 12);
        Assert.Equal(Math.Max(1 - epoch / Epochs, 0) * (1 - Lrf) + Lrf, Linear().Factor(epoch), 12);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(2.5, 0.855017856687341)]  // (1 - cos(pi/4)) / 2 = 0.1464466094; 1 - 0.99 * that
    [InlineData(5, 0.505)]
    [InlineData(10, 0.01)]
    public void CosineFactor(double epoch, double expected)
    {
        Assert.Equal(expected, Cosine().Factor(epoch), 10);
        Assert.Equal((1 - Math.Cos(epoch * Math.PI / Epochs)) / 2 * (Lrf - 1) + 1, Cosine().Factor(epoch), 12);
    }

    [Fact]
    public void CosineStartsAndEndsFlatterThanLinear()
    {
        Assert.True(Cosine().Factor(1) > Linear().Factor(1));
        Assert.True(Cosine().Factor(9) < Linear().Factor(9));
    }

    static Sgd ThreeGroupSgd(double lr0, double momentum)
    {
        var groups = new List<ParamGroup>
        {
            new(ParamGroup.Bias, [("b", Leaf(zeros(2)))], 0),
            new(ParamGroup.Weight, [("w", Leaf(zeros(2)))], 0.0005),
            new(ParamGroup.Norm, [("n", Leaf(zeros(2)))], 0),
        };
        foreach (var g in groups) { g.InitialLr = lr0; g.Lr = lr0; g.Momentum = momentum; }
        return new Sgd(groups);
    }

    [Fact]
    public void ApplyEpochScalesEveryGroupsInitialLr()
    {
        using var opt = ThreeGroupSgd(0.02, 0.937);
        opt.Group(ParamGroup.Weight).InitialLr = 0.04;
        Linear().ApplyEpoch(opt, 5);
        Assert.Equal(0.02 * 0.505, opt.Group(ParamGroup.Bias).Lr, 15);
        Assert.Equal(0.04 * 0.505, opt.Group(ParamGroup.Weight).Lr, 15);
        Assert.Equal(0.02 * 0.505, opt.Group(ParamGroup.Norm).Lr, 15);
        Assert.Equal(0.937, opt.Group(ParamGroup.Bias).Momentum);   // momentum is only touched by warm-up
    }

    [Theory]
    // iteration, bias-group LR, other groups' LR, momentum; warm-up of 100 iterations in epoch 0 (factor 1), lr0 0.01
    [InlineData(0, 0.1, 0.0, 0.8)]
    [InlineData(25, 0.0775, 0.0025, 0.83425)]
    [InlineData(50, 0.055, 0.005, 0.8685)]
    [InlineData(100, 0.01, 0.01, 0.937)]
    [InlineData(130, 0.01, 0.01, 0.937)]   // np.interp holds the end value
    public void WarmupInterpolatesLrAndMomentum(long iteration, double biasLr, double otherLr, double momentum)
    {
        using var opt = ThreeGroupSgd(0.01, 0.937);
        Linear().ApplyWarmup(opt, iteration, 100, epoch: 0);
        Assert.Equal(biasLr, opt.Group(ParamGroup.Bias).Lr, 12);
        Assert.Equal(otherLr, opt.Group(ParamGroup.Weight).Lr, 12);
        Assert.Equal(otherLr, opt.Group(ParamGroup.Norm).Lr, 12);
        Assert.All(opt.Groups, g => Assert.Equal(momentum, g.Momentum, 12));
    }

    [Fact]
    public void WarmupTargetsTheEpochsScheduledLr()
    {
        // In epoch 1 of 10 the target is lr0 * lf(1) = 0.01 * (0.9 * 0.99 + 0.01) = 0.00901.
        using var opt = ThreeGroupSgd(0.01, 0.937);
        Linear().ApplyWarmup(opt, 150, 200, epoch: 1);
        Assert.Equal(0.1 + (0.00901 - 0.1) * 0.75, opt.Group(ParamGroup.Bias).Lr, 12);
        Assert.Equal(0.00901 * 0.75, opt.Group(ParamGroup.Weight).Lr, 12);
        Linear().ApplyWarmup(opt, 200, 200, epoch: 1);
        Assert.Equal(0.00901, opt.Group(ParamGroup.Bias).Lr, 12);
    }

    [Fact]
    public void WarmupLeavesAdamBetaAlone()
    {
        // Ultralytics' AdamW groups have betas, not a "momentum" entry, so warm-up ramps only their learning rates.
        var groups = new List<ParamGroup> { new(ParamGroup.Bias, [("b", Leaf(zeros(2)))], 0), new(ParamGroup.Weight, [("w", Leaf(zeros(2)))], 0) };
        foreach (var g in groups) { g.InitialLr = 0.001; g.Momentum = 0.9; }
        using var opt = new AdamW(groups);
        Linear().ApplyWarmup(opt, 10, 100, epoch: 0);
        Assert.All(opt.Groups, g => Assert.Equal(0.9, g.Momentum));
        Assert.Equal(0.1 + (0.001 - 0.1) * 0.1, opt.Group(ParamGroup.Bias).Lr, 12);
        Assert.Equal(0.0001, opt.Group(ParamGroup.Weight).Lr, 12);
    }

    [Theory]
    // nominal 64 / batch 16 over 300 warm-up iterations: interp(1 -> 4) = 1 + ni/100, rounded half to even
    [InlineData(0, 1)]
    [InlineData(49, 1)]
    [InlineData(50, 2)]     // 1.5 -> 2
    [InlineData(150, 2)]    // 2.5 -> 2 (half to even, like numpy)
    [InlineData(151, 3)]
    [InlineData(250, 4)]    // 3.5 -> 4
    [InlineData(249, 3)]
    [InlineData(300, 4)]
    [InlineData(1000, 4)]
    public void WarmupAccumulationRampsToNominalOverBatch(long iteration, int expected) =>
        Assert.Equal(expected, LearningRateSchedule.WarmupAccumulation(iteration, 300, 64, 16));

    [Fact]
    public void WarmupAccumulationIsAtLeastOne()
    {
        Assert.Equal(1, LearningRateSchedule.WarmupAccumulation(500, 300, 64, 128));   // batch above nominal
        Assert.Equal(1, LearningRateSchedule.WarmupAccumulation(0, 300, 64, 64));
        Assert.Equal(1, LearningRateSchedule.WarmupAccumulation(300, 300, 64, 64));
    }

    [Fact]
    public void WarmupAccumulationIsMonotonic()
    {
        int previous = 1;
        for (long ni = 0; ni <= 120; ni++)
        {
            int a = LearningRateSchedule.WarmupAccumulation(ni, 100, 64, 16);
            Assert.InRange(a, previous, 4);
            previous = a;
        }
        Assert.Equal(4, previous);
    }
}
