using Forge.Models.Loss;
using Forge.Testing;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class DetectionLossTests(ITestOutputHelper output)
{
    static TargetBatch Targets(int batch, int size, params float[] rows) =>
        new(rows, rows.Length / 6, batch, size, size, CPU);

    [Fact]
    public void LossIsFiniteAndEveryTrainableParameterGetsAGradient()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 3), seed: 1);
        model.train();
        var loss = new DetectionLoss(model);
        using var generator = new Generator(1);
        using var images = rand(2, 3, 64, 64, generator: generator);
        using var targets = Targets(2, 64, 0, 1, 0.5f, 0.5f, 0.4f, 0.3f, 1, 2, 0.3f, 0.6f, 0.2f, 0.5f, 1, 0, 0.7f, 0.3f, 0.3f, 0.3f);
        using var raw = model.forward(images);
        Assert.Equal(new long[] { 2, 64 + 3, 8 * 8 + 4 * 4 + 2 * 2 }, raw.shape);
        var (total, items) = loss.Compute(raw, targets, 64, 64);
        using (total)
        {
            Assert.True(float.IsFinite(total.item<float>()));
            Assert.True(items.Box > 0 && items.Cls > 0 && items.Dfl > 0);
            Assert.Equal(items.Total * 2, total.item<float>(), 3);   // scaled by the batch size
            total.backward();
        }
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) { Assert.Contains("dfl", name); continue; }
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(isfinite(p.grad!).all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }

    [Fact]
    public void ImagesWithoutBoxesGiveOnlyClassificationLoss()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 2), seed: 2);
        var loss = new DetectionLoss(model);
        using var generator = new Generator(2);
        using var images = rand(1, 3, 64, 64, generator: generator);
        using var targets = Targets(1, 64);
        using var raw = model.forward(images);
        var (total, items) = loss.Compute(raw, targets, 64, 64);
        total.Dispose();
        Assert.Equal(0f, items.Box);
        Assert.Equal(0f, items.Dfl);
        Assert.True(items.Cls > 0);
    }

    [Fact]
    public void RepeatedStepsOnOneBatchDriveTheLossDown()
    {
        // Weights and images come from private generators, so the run is the same whatever other tests do to torch's global
        // generator meanwhile; the mean of the first and last few steps is compared so that one noisy step decides nothing.
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses: 2), seed: 3);
        model.train();
        var loss = new DetectionLoss(model);
        using var generator = new Generator(3);
        using var images = rand(2, 3, 64, 64, generator: generator);
        using var targets = Targets(2, 64, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, 1, 1, 0.4f, 0.4f, 0.3f, 0.6f);
        var opt = optim.AdamW(model.parameters(), 0.002);
        var totals = new List<float>();
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var raw = model.forward(images);
            var (total, items) = loss.Compute(raw, targets, 64, 64);
            total.backward();
            opt.step();
            totals.Add(items.Total);
        }
        output.WriteLine(string.Join(", ", totals.Select(t => t.ToString("0.00"))));
        float first = totals.Take(3).Average(), last = totals.TakeLast(3).Average();
        Assert.True(last < first * 0.6f, $"loss went from {first} to {last}: {string.Join(", ", totals.Select(t => t.ToString("0.00")))}");
    }
}
