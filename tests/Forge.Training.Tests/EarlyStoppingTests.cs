namespace Forge.Training.Tests;

public class EarlyStoppingTests
{
    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovement()
    {
        var s = new EarlyStopping(3);
        double[] fitness = [0.10, 0.20, 0.15, 0.19, 0.20, 0.18];
        bool[] expectStop = [false, false, false, false, true, true];
        int[] expectBest = [0, 1, 1, 1, 1, 1];
        for (int e = 0; e < fitness.Length; e++)
        {
            Assert.Equal(expectStop[e], s.Step(e, fitness[e]));
            Assert.Equal(expectBest[e], s.BestEpoch);
            Assert.Equal(e == expectBest[e], s.IsBest(e));
        }
        Assert.Equal(0.20, s.BestFitness);   // an equal fitness is not an improvement
    }

    [Fact]
    public void ImprovementResetsTheCount()
    {
        var s = new EarlyStopping(3);
        Assert.False(s.Step(0, 0.5));
        Assert.False(s.Step(1, 0.4));
        Assert.False(s.Step(2, 0.4));
        Assert.False(s.Step(3, 0.6));   // new best at epoch 3
        Assert.False(s.Step(4, 0.1));
        Assert.False(s.Step(5, 0.1));
        Assert.True(s.Step(6, 0.1));
        Assert.Equal(3, s.BestEpoch);
    }

    [Fact]
    public void ZeroPatienceNeverStops()
    {
        var s = new EarlyStopping(0);
        Assert.False(s.Step(0, 1.0));
        for (int e = 1; e < 50; e++) Assert.False(s.Step(e, 0.5));
        Assert.Equal(0, s.BestEpoch);
    }

    [Fact]
    public void ZeroFitnessStageDoesNotCount()
    {
        // Like Ultralytics: while the best fitness is still 0 (nothing detected yet), each epoch counts as the best.
        var s = new EarlyStopping(3);
        for (int e = 0; e < 6; e++)
        {
            Assert.False(s.Step(e, 0.0));
            Assert.Equal(e, s.BestEpoch);
        }
        Assert.False(s.Step(6, 0.05));
        Assert.False(s.Step(7, 0.01));
        Assert.False(s.Step(8, 0.01));
        Assert.True(s.Step(9, 0.04));
        Assert.Equal(6, s.BestEpoch);
    }

    [Fact]
    public void NegativeFitnessWithoutValidationStillTracksTheBest()
    {
        // Without validation the trainer uses -loss as fitness.
        var s = new EarlyStopping(2);
        Assert.False(s.Step(0, -3.0));
        Assert.False(s.Step(1, -2.5));
        Assert.False(s.Step(2, -2.7));
        Assert.True(s.Step(3, -2.6));
        Assert.Equal(1, s.BestEpoch);
        Assert.Equal(-2.5, s.BestFitness);
    }
}
