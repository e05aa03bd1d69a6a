using Forge.Torch;
using Forge.Models.Loss;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class DistributionFocalLossTests
{
    [Fact]
    public void UniformLogitsCostLogOfBinCount()
    {
        // Uniform distribution over 16 bins: CE to any bin = ln 16, whatever the split between the two bins.
        using var logits = zeros(1, 4, 16);
        using var target = tensor(new float[] { 2.5f, 0.0f, 7.25f, 14.99f }).view(1, 4);
        using var loss = DistributionFocalLoss.Compute(logits, target);
        Assert.Equal(Math.Log(16), loss.item<float>(), 4);
    }

    [Fact]
    public void WeightsTheTwoNeighbouringBinsByCloseness()
    {
        // Bins with probabilities [1/8, 1/8, 2/8, 4/8]; target 2.25 -> 0.75 * -ln(2/8) + 0.25 * -ln(4/8) = 1.213008 per side.
        var row = new float[] { 0f, 0f, MathF.Log(2), MathF.Log(4) };
        using var logits = tensor(Enumerable.Repeat(row, 4).SelectMany(r => r).ToArray()).view(1, 4, 4);
        using var value = HeldScalars.Of(2.25);
        using var target = full(1, 4, value);
        using var loss = DistributionFocalLoss.Compute(logits, target);
        Assert.Equal(1.213008, loss.item<float>(), 5);
    }

    [Fact]
    public void ConfidentCorrectBinCostsAlmostNothing()
    {
        using var logits = zeros(2, 4, 16);
        logits[.., .., 3] = tensor(50f);
        using var value = HeldScalars.Of(3.0);
        using var target = full(2, 4, value);
        using var loss = DistributionFocalLoss.Compute(logits, target);
        Assert.Equal(new long[] { 2, 1 }, loss.shape);
        Assert.True(loss.max().item<float>() < 1e-6);
    }
}
