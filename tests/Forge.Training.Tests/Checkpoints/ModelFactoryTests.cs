using Forge.Torch;
using Forge.Core.Config;
using Forge.Models;
using Forge.Testing;
using Forge.Training.Checkpoints;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Checkpoints;

public sealed class ModelFactoryTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-factory-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void LoadMatchingSkipsOnlyTheClassHeadBetweenClassCounts()
    {
        using var source = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 1);
        using var target = SeededWeights.Reset(new YoloDetector(ModelScale.N, 3), seed: 2);
        var sourceState = source.state_dict();
        var targetBefore = target.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var report = ModelFactory.LoadMatching(target, sourceState);

        // The class branches end in a 1x1 conv with one output per class at each of the three levels.
        string[] classHead = ["model.22.cv3.0.2.bias", "model.22.cv3.0.2.weight", "model.22.cv3.1.2.bias",
                              "model.22.cv3.1.2.weight", "model.22.cv3.2.2.bias", "model.22.cv3.2.2.weight"];
        Assert.Equal(classHead, report.Skipped.Select(s => s[..s.IndexOf(' ')]).Order(StringComparer.Ordinal));
        Assert.Contains("model.22.cv3.0.2.weight [2x64x1x1→3x64x1x1]", report.Skipped);
        Assert.Empty(report.Missing);
        Assert.Equal(sourceState.Count - 6, report.Loaded.Count);

        var targetAfter = target.state_dict();
        foreach (var name in report.Loaded) Assert.True(BitwiseEqual(sourceState[name], targetAfter[name]), name);
        foreach (var name in classHead) Assert.True(BitwiseEqual(targetBefore[name], targetAfter[name]), name);

        var text = report.Describe();
        Assert.StartsWith($"{sourceState.Count - 6} tensors loaded, 6 skipped (shape differs): ", text);
        Assert.EndsWith("0 not in the file", text);
    }

    [Fact]
    public void LoadMatchingReportsTensorsMissingFromTheSource()
    {
        using var source = new YoloDetector(ModelScale.N, 2);
        using var target = new YoloDetector(ModelScale.N, 2);
        var partial = source.state_dict().Where(kv => !kv.Key.StartsWith("model.22.", StringComparison.Ordinal))
                                               .ToDictionary(kv => kv.Key, kv => kv.Value);
        var report = ModelFactory.LoadMatching(target, partial);
        Assert.Equal(partial.Count, report.Loaded.Count);
        Assert.Empty(report.Skipped);
        Assert.Equal(target.state_dict().Keys.Count(k => k.StartsWith("model.22.", StringComparison.Ordinal)), report.Missing.Count);
        Assert.All(report.Missing, m => Assert.StartsWith("model.22.", m));
        Assert.Contains("model.22.dfl.conv.weight", report.Missing);
    }

    [Fact]
    public void LoadMatchingConvertsDtype()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var state = model.state_dict();
        var doubles = state.ToDictionary(kv => kv.Key, kv => kv.Value.dtype == ScalarType.Float32 ? kv.Value.to(ScalarType.Float64).Plus(1L) : kv.Value);
        using var target = new YoloDetector(ModelScale.N, 2);
        ModelFactory.LoadMatching(target, doubles);
        var w = target.state_dict()["model.0.conv.weight"];
        Assert.Equal(ScalarType.Float32, w.dtype);
        Assert.True(MaxAbsDiff(w, state["model.0.conv.weight"].Plus(1L)) < 1e-6);
    }

    [Theory]
    [InlineData('n', 2)]
    [InlineData('s', 80)]
    public void ParseArchitectureReadsWhatTheDetectorWrites(char letter, int nc)
    {
        var scale = ModelScale.FromLetter(letter);
        // Architecture is computed from the scale and head; build the cheap one and format the other the same way.
        string arch = letter == 'n'
            ? new YoloDetector(scale, nc).Architecture
            : $"{scale.Name} nc={nc} reg_max=16 strides=8,16,32";
        var (parsedScale, parsedNc) = ModelFactory.ParseArchitecture(arch, "x.safetensors");
        Assert.Equal(scale, parsedScale);
        Assert.Equal(nc, parsedNc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yolov8n")]
    [InlineData("yolov9n nc=2")]
    [InlineData("yolov8n classes=2")]
    [InlineData("yolov8n nc=two")]
    public void ParseArchitectureRejectsOtherText(string arch)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFactory.ParseArchitecture(arch, "w/best.safetensors"));
        Assert.StartsWith("w/best.safetensors:", e.Message);
    }

    [Fact]
    public void FromCheckpointRebuildsTheModelAndNames()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 8);
        var path = Path.Combine(dir, "best.safetensors");
        using (var ckpt = new Checkpoint())
        {
            ckpt.AddModule(Checkpoint.ModelPrefix, model);
            new CheckpointInfo(1, 0, null, new ForgeConfig(), ["cat", "dog"], model.Architecture).WriteTo(ckpt);
            ckpt.Save(path);
        }
        var (loaded, names) = ModelFactory.FromCheckpoint(path);
        using (loaded)
        {
            Assert.Equal(["cat", "dog"], names);
            Assert.Equal(2, loaded.NumClasses);
            Assert.Equal(ModelScale.N, loaded.Scale);
            var expected = model.state_dict();
            foreach (var (name, t) in loaded.state_dict()) Assert.True(BitwiseEqual(expected[name], t), name);
        }
    }

    [Fact]
    public void FromCheckpointRefusesWeightsThatDoNotFitTheArchitecture()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var path = Path.Combine(dir, "lying.safetensors");
        using (var ckpt = new Checkpoint())
        {
            ckpt.AddModule(Checkpoint.ModelPrefix, model);
            ckpt.Metadata["architecture"] = "yolov8n nc=3 reg_max=16 strides=8,16,32";
            ckpt.Save(path);
        }
        var e = Assert.Throws<InvalidDataException>(() => ModelFactory.FromCheckpoint(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("6 skipped", e.Message);

        var bare = Path.Combine(dir, "bare.safetensors");
        using (var ckpt = new Checkpoint())
        {
            ckpt.AddModule(Checkpoint.ModelPrefix, model);
            ckpt.Save(bare);
        }
        e = Assert.Throws<InvalidDataException>(() => ModelFactory.FromCheckpoint(bare));
        Assert.Contains(bare, e.Message);
        Assert.Contains("architecture", e.Message);
    }

    [Fact]
    public void CreateAndIsWeightsFile()
    {
        using var m = ModelFactory.Create("yolov8n", 4);
        Assert.Equal(ModelScale.N, m.Scale);
        Assert.Equal(4, m.NumClasses);
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Create("resnet50", 4));
        Assert.Contains("resnet50", e.Message);

        Assert.True(ModelFactory.IsWeightsFile("runs/detect/train/weights/best.safetensors"));
        Assert.True(ModelFactory.IsWeightsFile("W.SAFETENSORS"));
        Assert.False(ModelFactory.IsWeightsFile("yolov8n"));
        var other = Path.Combine(dir, "weights.bin");
        File.WriteAllBytes(other, [1]);
        Assert.True(ModelFactory.IsWeightsFile(other));
    }
}
