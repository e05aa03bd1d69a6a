using Forge.Reporting;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class EarlyStoppingRunTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_run_whose_fitness_cannot_improve_stops_after_patience_epochs_and_says_so()
    {
        // Weights that already detect the whole-frame objects, and a learning rate of 0: validation fitness is above 0
        // (so the zero-fitness grace period does not apply) and stays exactly where it started.
        string data = TinyDatasets.WholeFrame(temp.Combine("frames"));
        string weights = ConfidentWeights.Write(temp.Combine("confident.safetensors"), numClasses: 1);
        var cfg = TinyRun.Config(data, temp.Combine("runs"), "stop")
            .With("model", weights).With("epochs", 5).With("patience", 1)
            .With("optimizer", "SGD").With("lr0", 0.0).With("warmup_epochs", 0.0).With("plots", false);
        var (result, log) = TinyRun.Train(cfg);
        output.WriteLine(log);

        Assert.True(result.StoppedEarly);
        Assert.Equal(2, result.EpochsCompleted);
        Assert.Contains("Stopping training early as no improvement observed in the last 1 epochs. Best results observed at epoch 1.", log);
        Assert.Contains("2 epochs completed", log);
        Assert.DoesNotContain("3/5", log);

        var csv = ResultsTable.Read(Path.Combine(result.RunDirectory, "results.csv"));
        Assert.Equal(2, csv.Rows.Count);
        double Fitness(int r) => 0.1 * csv.Rows[r]["metrics/mAP50(B)"] + 0.9 * csv.Rows[r]["metrics/mAP50-95(B)"];
        Assert.True(Fitness(0) > 0, $"fitness {Fitness(0)}");
        Assert.Equal(Fitness(0), Fitness(1));

        // best.safetensors is the first epoch's, and its final validation matches what the epochs reported.
        Assert.NotNull(result.FinalValidation);
        Assert.Equal(csv.Rows[0]["metrics/mAP50(B)"], result.FinalValidation.Metrics.Map50, 4);
    }
}
