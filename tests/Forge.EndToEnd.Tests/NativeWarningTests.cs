namespace Forge.EndToEnd.Tests;

/// <summary>
/// What libtorch itself prints to the process's stderr (the in-process CLI tests cannot see it): a predict of one image at
/// batch 1 is where libtorch asks its NNPACK backend for small convolutions, and on a CPU whose CPUID hides its cache sizes
/// NNPACK cannot start and libtorch warned "Could not initialize NNPACK! Reason: Unsupported hardware." for each of them
/// (42 lines per image at 320 px, 4,200 in the demo's predict) until Forge turned NNPACK off there
/// (TensorLibrary.DisableNnpackWhereItCannotStart). On other CPUs the output had none to begin with.
/// </summary>
public class NativeWarningTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 8, valImages: 2);

    public void Dispose() => data.Dispose();

    [Fact]
    public void PredictOfOneImagePrintsNoNnpackWarnings()
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("tiny", "epochs=1", "close_mosaic=0", "val=false", "plots=false"));
        Assert.True(code == 0, output);
        string image = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(data.DataYaml)!, "images", "val")).Order(StringComparer.Ordinal).First();
        var (predict, log) = ForgeProcess.Run(data.Root,
            ["predict", $"model={data.Weights("tiny")}", $"source={image}", $"project={Path.Combine(data.Root, "predict")}"]);
        Assert.True(predict == 0, log);
        Assert.Contains("Results saved to", log);
        Assert.DoesNotContain("NNPACK", log);
    }
}
