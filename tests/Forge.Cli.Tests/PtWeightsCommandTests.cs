using Forge.Training.Tests.Weights;

namespace Forge.Cli.Tests;

/// <summary>Ultralytics .pt files on the command line: predict, export and missing files; model names train from scratch.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class PtWeightsCommandTests(TrainedModelFixture trained)
{
    static string Fixture(string name) => Path.Combine(FixturePaths.Ultralytics, name);

    [Fact]
    public void Training_from_a_model_name_says_there_are_no_pretrained_weights()
    {
        Assert.Contains("Model yolov8n from yolov8.yaml (built-in) (scale n)", trained.Train.Stdout);
        Assert.Contains("no pretrained weights, training from scratch", trained.Train.Stdout);
    }

    [Fact]
    public void Predict_with_an_ultralytics_pt_reports_what_it_loaded()
    {
        var image = Directory.EnumerateFiles(Path.GetDirectoryName(trained.DataYaml)!, "*.*", SearchOption.AllDirectories)
            .First(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase));
        string project = trained.NewFolder("predict-pt");
        var run = ForgeRun.Of("predict", $"model={Fixture("tiny-yolo11.pt")}", $"source={image}", "conf=0.0", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Loaded tiny-yolo11.pt: Ultralytics .pt, tiny-yolo11 (tiny-yolo11, scale t), 3 classes", run.Stdout);
        Assert.Contains("version 8.3.57", run.Stdout);
        Assert.Contains("1 images", run.Stdout);
    }

    [Fact]
    public void Export_converts_a_pt_to_safetensors()
    {
        string folder = trained.NewFolder("export-pt");
        string pt = Path.Combine(folder, "tiny-yolov8.pt");
        File.Copy(Fixture("tiny-yolov8.pt"), pt);
        var run = ForgeRun.Of("export", $"model={pt}", "format=safetensors");
        Assert.True(run.ExitCode == 0, run.ToString());
        string output = Path.Combine(folder, "tiny-yolov8.weights.safetensors");
        Assert.Contains($"to {output}", run.Stdout);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void A_missing_pt_says_forge_does_not_download()
    {
        string missing = Path.Combine(trained.NewFolder("missing-pt"), "yolo11n.pt");
        var run = ForgeRun.Of("val", $"model={missing}", $"data={trained.DataYaml}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
        Assert.Contains("Forge does not download weights", run.Stderr);
        Assert.Contains("model=yolo11n to train from scratch", run.Stderr);
    }

    [Fact]
    public void A_refused_pt_is_an_error_naming_the_global()
    {
        string path = Path.Combine(trained.NewFolder("evil"), "evil.pt");
        PickleBuilder.WriteArchive(path, new PickleBuilder().Global("os", "system").Mark().Str("true").Tuple().Reduce().Stop().ToArray());
        var run = ForgeRun.Of("predict", $"model={path}", $"source={path}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused to load: the pickle references os.system", run.Stderr);
    }
}
