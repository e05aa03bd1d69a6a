using Forge.Models;
using Forge.Models.Graph;

namespace Forge.Models.Tests;

public sealed class ModelYamlTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-yaml-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    static string Yolov8With(string extraHeadRow, string detect = "[[15, 18, 21], 1, Detect, [nc]]")
    {
        var text = BuiltinModels.Text("yolov8");
        var head = text.IndexOf("  - [[15, 18, 21], 1, Detect, [nc]]", StringComparison.Ordinal);
        return text[..head] + extraHeadRow + "\n  - " + detect + "\n";
    }

    [Fact]
    public void AnUnknownModuleIsNamedWithItsYamlLine()
    {
        var path = Write("yolov8s-custom.yaml", Yolov8With("  - [-1, 1, FancyBlock, [64]]   # 22", "[[15, 18, 21], 1, Detect, [nc]]"));
        int line = File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("FancyBlock")) + 1;
        var yaml = ModelYaml.Load(path);
        var e = Assert.Throws<InvalidDataException>(() => new YoloDetector(ModelScale.Of(yaml, "s"), 3));
        Assert.Contains($"{path}:{line}: layer 22: unknown module 'FancyBlock'", e.Message);
        Assert.Contains("C3k2", e.Message);   // lists what Forge builds
    }

    [Fact]
    public void BadArgumentsAndInputsAreNamed()
    {
        var bad = ModelYaml.Load(Write("bad.yaml", Yolov8With("  - [-1, 1, Conv, [64, 3, 2, None, 1, 1, True, 9]]")));
        var e = Assert.Throws<InvalidDataException>(() => new YoloDetector(ModelScale.Of(bad, "n"), 3));
        Assert.Matches(@"bad\.yaml:\d+: layer 22 \(Conv\): expected arguments \[c2, k=1", e.Message);

        var later = ModelYaml.Load(Write("later.yaml", Yolov8With("  - [30, 1, Conv, [64, 3, 2]]")));
        e = Assert.Throws<InvalidDataException>(() => new YoloDetector(ModelScale.Of(later, "n"), 3));
        Assert.Contains("'from' 30 refers to layer 30, which comes later", e.Message);
    }

    [Fact]
    public void AMalformedRowIsRefusedWhenRead()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelYaml.Load(Write("rows.yaml", "nc: 2\nbackbone:\n  - [-1, 1, Conv]\nhead: []\n")));
        Assert.Contains("rows.yaml:3: layer 0: expected [from, repeats, module, args]", e.Message);
    }

    [Fact]
    public void AUserLayerOutsideTheForwardPathBuildsAndKeepsTheOtherNames()
    {
        // An extra Conv reading layer 9 whose output nothing uses; Detect's inputs are unchanged.
        var yaml = ModelYaml.Load(Write("yolov8n-aux.yaml", Yolov8With("  - [9, 1, Conv, [64, 3, 1]]    # 22 aux", "[[15, 18, 21], 1, Detect, [nc]]")));
        Assert.False(yaml.IsBuiltIn);
        Assert.Equal("yolov8-aux", yaml.Family);
        var scale = ModelScale.Of(yaml, ModelYaml.GuessScale("yolov8n-aux.yaml"));
        Assert.Equal("n", scale.Key);
        using var model = new YoloDetector(scale, 3);
        Assert.Equal(24, model.Layers.Count);
        Assert.Equal([9], model.Layers[22].Sources);
        Assert.Equal("yolov8n-aux", scale.Name);
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("model.22.conv.weight", names);
        Assert.Contains("model.23.cv2.0.0.conv.weight", names);
        using var plain = new YoloDetector(ModelScale.N, 3);
        // Scale n: layer 9 has 256 channels, the Conv 64 * 0.25 = 16: a 3x3 kernel and BatchNorm's weight and bias.
        Assert.Equal(plain.ParameterCount() + 256 * 16 * 9 + 2 * 16, model.ParameterCount());
    }

    [Fact]
    public void StoredJsonRoundTrips()
    {
        var yaml = ModelYaml.Load(Write("yolov8n-aux.yaml", Yolov8With("  - [9, 1, Conv, [64, 3, 1]]")));
        var again = ModelYaml.Parse(yaml.ToJson("n"), "ckpt", "yolov8-aux", textIsFile: false);
        Assert.Equal(yaml, again);
        Assert.Equal("n", again.Scale);
        var builtIn = ModelYaml.Parse(BuiltinModels.Yolo11.ToJson("s"), "ckpt", "whatever", textIsFile: false);
        Assert.True(builtIn.IsBuiltIn);
        Assert.Equal("yolo11", builtIn.Family);
        Assert.Equal(ModelScale.Of(BuiltinModels.Yolo11, "s"), ModelScale.Of(builtIn, builtIn.Scale));
    }

    [Fact]
    public void ScalesAndNamesFollowUltralytics()
    {
        Assert.Equal("s", ModelYaml.GuessScale("yolo11s.yaml"));
        Assert.Equal("x", ModelYaml.GuessScale("path/yolov8x-p2.yaml"));
        Assert.Null(ModelYaml.GuessScale("my-model.yaml"));
        Assert.Equal("yolov8-p2", ModelYaml.FamilyOf("yolov8s-p2"));
        Assert.True(ModelScale.TryParseName("yolo11m.yaml", out var m));
        Assert.Equal("yolo11m", m.Name);
        Assert.False(ModelScale.TryParseName("yolo11q", out _));
        string? warning = null;
        var first = ModelScale.Of(BuiltinModels.Yolo11, null, w => warning = w);
        Assert.Equal("n", first.Key);
        Assert.Contains("assuming scale='n'", warning);
    }
}
