using Forge.Training.Tests.Integration;

namespace Forge.Cli.Tests;

/// <summary>
/// One <c>forge train</c> run shared by the val and predict tests: the tiny shapes dataset, YOLOv8n at 64 px, one epoch.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    readonly TempDirectory temp = new("forge-cli-");

    public string DataYaml { get; }
    public string BestWeights { get; }
    public string Project => temp.Combine("runs");
    public ForgeRun Train { get; }

    public TrainedModelFixture()
    {
        // Should anything fall back to the embedded dataset, it is generated here rather than under the working folder.
        Environment.SetEnvironmentVariable("FORGE_DATASETS", temp.Combine("datasets"));
        DataYaml = TinyDatasets.Shapes(temp.Combine("shapes"));
        Train = ForgeRun.Of("train", $"data={DataYaml}", "model=yolov8n", "imgsz=64", "batch=4", "epochs=1", "workers=1",
            "plots=false", $"project={Project}", "name=fixture");
        BestWeights = Path.Combine(Project, "fixture", "weights", "best.safetensors");
        if (Train.ExitCode != 0 || !File.Exists(BestWeights)) throw new InvalidOperationException("forge train failed:\n" + Train);
    }

    public string NewFolder(string name)
    {
        string path = temp.Combine(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => temp.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TrainedModelCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "Trained model";
}
