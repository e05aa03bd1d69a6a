using Forge.Core.Config;
using Forge.Models;
using Forge.Models.Graph;
using Forge.Testing;
using Forge.Training.Checkpoints;
using Forge.Training.Weights;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Weights;

/// <summary>One loader for .safetensors and .pt (train, val, predict, export) and model= names, yamls and files.</summary>
public sealed class PretrainedWeightsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-weights-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Fixture(string name) => Path.Combine(FixturePaths.Ultralytics, name);

    [Fact]
    public void AnUltralyticsPtReportsWhatItHolds()
    {
        using var w = PretrainedWeights.Load(Fixture("tiny-yolo11.pt"));
        Assert.Equal("Ultralytics .pt", w.Format);
        Assert.Equal("8.3.57", w.Version);
        Assert.Equal(["red", "green", "blue"], w.Names);
        Assert.Equal("tiny-yolo11", w.Architecture.Name);
        Assert.Equal("t", w.Architecture.Key);
        Assert.Equal(64, w.TrainArgs!.ImgSize);
        Assert.All(w.State.Values.Where(t => t.is_floating_point()), t => Assert.Equal(ScalarType.Float16, t.dtype));
        var text = w.Describe();
        Assert.Contains("tiny-yolo11.pt: Ultralytics .pt, tiny-yolo11 (tiny-yolo11, scale t), 3 classes, float16", text);
        Assert.Contains("version 8.3.57", text);
        Assert.Contains("saved 20", text);
    }

    [Fact]
    public void ModelNamesAndYamlsResolve()
    {
        Assert.Equal(ModelScale.Of(BuiltinModels.Yolo11, "s"), ModelFactory.ResolveDefinition("yolo11s"));
        Assert.Equal(ModelScale.Of(BuiltinModels.Yolo11, "s"), ModelFactory.ResolveDefinition("yolo11s.yaml"));
        Assert.Equal(ModelScale.S, ModelFactory.ResolveDefinition("yolov8s.yaml"));
        var warnings = new List<string>();
        Assert.Equal(ModelScale.N, ModelFactory.ResolveDefinition("yolov8.yaml", warnings.Add));
        Assert.Contains("assuming scale='n'", Assert.Single(warnings));
        var own = ModelFactory.ResolveDefinition(Fixture("tiny-yolov8.yaml"), warnings.Add);
        Assert.Equal("tiny-yolov8", own.Yaml.Family);
        Assert.Equal("t", own.Key);
        Assert.Contains("resnet50", Assert.Throws<ArgumentException>(() => ModelFactory.ResolveDefinition("resnet50")).Message);
        Assert.Contains("not found", Assert.Throws<FileNotFoundException>(() => ModelFactory.ResolveDefinition(Path.Combine(dir, "mine.yaml"))).Message);
        Assert.True(ModelFactory.IsWeightsFile("x/yolov8n.pt"));
        Assert.False(ModelFactory.IsWeightsFile(Fixture("tiny-yolov8.yaml")));
    }

    [Fact]
    public void TrainingFromANameSaysThereAreNoPretrainedWeights()
    {
        var log = new StringWriter();
        using var model = ModelFactory.ForTraining("yolo11n", 4, resuming: false, log, ModelFactory.DefaultDetector);
        Assert.Equal(4, model.NumClasses);
        Assert.Contains("Model yolo11n from yolo11.yaml (built-in) (scale n)", log.ToString());
        Assert.Contains("no pretrained weights", log.ToString());
    }

    [Fact]
    public void FineTuningFromAPtMatchesNamesAndShapes()
    {
        var log = new StringWriter();
        using var model = ModelFactory.ForTraining(Fixture("tiny-yolov8.pt"), 5, resuming: false, log, ModelFactory.DefaultDetector);
        Assert.Equal(5, model.NumClasses);
        var text = log.ToString();
        Assert.Contains("Loaded tiny-yolov8.pt: Ultralytics .pt", text);
        // Two levels: the class convs' weight and bias differ in shape (3 → 5 classes).
        Assert.Contains("4 skipped (shape differs): model.14.cv3.0.2.weight [3x16x1x1→5x16x1x1]", text);
        Assert.Contains("0 not in the file", text);
        using var w = PretrainedWeights.Load(Fixture("tiny-yolov8.pt"));
        var state = model.state_dict();
        Assert.True(BitwiseEqual(w.State["model.0.conv.weight"].to(float32), state["model.0.conv.weight"]));
    }

    [Fact]
    public void AModelFromAUserYamlRoundTripsThroughACheckpoint()
    {
        var scale = ModelFactory.ResolveDefinition(Fixture("tiny-yolo11.yaml"));
        using var model = SeededWeights.Reset(new YoloDetector(scale, 2), seed: 5);
        var path = Path.Combine(dir, "best.safetensors");
        using (var ckpt = new Checkpoint())
        {
            ckpt.AddModule(Checkpoint.ModelPrefix, model);
            new CheckpointInfo(1, 0, null, new ForgeConfig(), ["a", "b"], model.Architecture) { ModelYaml = CheckpointInfo.ModelYamlOf(model) }.WriteTo(ckpt);
            ckpt.Save(path);
        }
        var (loaded, names) = ModelFactory.FromCheckpoint(path);
        using (loaded)
        {
            Assert.Equal(["a", "b"], names);
            Assert.Equal(scale, loaded.Scale);
            Assert.Equal(model.Architecture, loaded.Architecture);
            var expected = model.state_dict();
            foreach (var (name, t) in loaded.state_dict()) Assert.True(BitwiseEqual(expected[name], t), name);
        }
    }

    [Fact]
    public void APtExportsToSafetensorsThatLoadTheSame()
    {
        var output = Path.Combine(dir, "tiny.safetensors");
        var (_, tensors, _) = WeightsExporter.ExportSafetensors(Fixture("tiny-yolo11.pt"), output);
        using var fromPt = PretrainedWeights.Load(Fixture("tiny-yolo11.pt"));
        using var a = fromPt.CreateModel();
        using var exported = PretrainedWeights.Load(output);
        Assert.Equal("Forge safetensors", exported.Format);
        Assert.Equal(fromPt.Names, exported.Names);
        using var b = exported.CreateModel();
        Assert.Equal(a.Architecture, b.Architecture);
        var sa = a.state_dict();
        Assert.Equal(sa.Count, tensors);
        foreach (var (name, t) in b.state_dict()) Assert.True(BitwiseEqual(sa[name], t), name);
    }

    [SharedFixtureFact("yolov8n-coco.pt", "yolov8n-coco.safetensors")]
    public void TheSharedCocoPtHoldsTheSafetensorsWeightsInFloat16()
    {
        using var pt = PretrainedWeights.Load(FixturePaths.Shared("yolov8n-coco.pt")!);
        using var st = PretrainedWeights.Load(FixturePaths.Shared("yolov8n-coco.safetensors")!);
        Assert.Equal(ModelScale.N, pt.Architecture);
        Assert.Equal(80, pt.NumClasses);
        Assert.Equal("person", pt.Names[0]);
        Assert.Equal(st.Names, pt.Names);
        using var a = pt.CreateModel();
        using var b = st.CreateModel();
        Assert.Equal(3_157_200, a.ParameterCount());
        var sb = b.state_dict();
        foreach (var (name, t) in a.state_dict())
        {
            // The .pt was written by .half() of the same float32 weights: loading it gives exactly those values rounded
            // to float16 (so a val run on the .pt equals one on the safetensors with its weights rounded to float16).
            using var rounded = sb[name].to(float16).to(t.dtype);
            Assert.True(BitwiseEqual(rounded, t), name);
        }
    }
}
