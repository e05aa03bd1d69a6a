using Forge.Reporting;
using Forge.Training.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class DeterminismTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Same_seed_gives_bitwise_identical_weights_whatever_the_number_of_loader_workers()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        var a = TinyRun.Train(TinyRun.Config(data, temp.Combine("runs"), "w0").With("workers", 0).With("seed", 7).With("plots", false));
        var b = TinyRun.Train(TinyRun.Config(data, temp.Combine("runs"), "w2").With("workers", 2).With("seed", 7).With("plots", false));
        output.WriteLine(a.Log);
        output.WriteLine(b.Log);

        // Compare tensors, not file bytes: the metadata holds the date and the run's own settings.
        using var ca = Checkpoint.Load(a.Result.LastCheckpoint);
        using var cb = Checkpoint.Load(b.Result.LastCheckpoint);
        Assert.Equal(ca.Tensors.Keys.Order(StringComparer.Ordinal), cb.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.True(ca.Tensors.Count > 300, $"{ca.Tensors.Count} tensors");
        var differing = ca.Tensors.Keys.Where(k => !TorchTestUtil.BitwiseEqual(ca.Tensors[k], cb.Tensors[k])).ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} tensors differ, e.g. {string.Join(", ", differing.Take(5))}");

        // The recorded losses and metrics agree too (every column but time and memory).
        var ra = ResultsTable.Read(Path.Combine(a.Result.RunDirectory, "results.csv"));
        var rb = ResultsTable.Read(Path.Combine(b.Result.RunDirectory, "results.csv"));
        foreach (var col in ra.Columns.Where(c => !c.StartsWith("time/", StringComparison.Ordinal) && !c.StartsWith("mem/", StringComparison.Ordinal)))
            for (int r = 0; r < ra.Rows.Count; r++)
                Assert.True(ra.Rows[r][col].Equals(rb.Rows[r][col]), $"epoch {r + 1} {col}: {ra.Rows[r][col]} vs {rb.Rows[r][col]}");

        // Training moved the weights away from their seeded initial values, so the equality above is not that of two untouched models.
        torch.manual_seed(7);
        using var initial = ModelFactory.Create("yolov8n", 6);
        var init = initial.state_dict();
        int moved = ca.Section(Checkpoint.ModelPrefix).Count(kv => !TorchTestUtil.BitwiseEqual(kv.Value, init[kv.Key]));
        Assert.True(moved > 100, $"only {moved} tensors changed in training");
    }
}
