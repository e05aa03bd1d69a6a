using System.Collections;
using System.Text.Json;
using Forge.Models;
using Forge.Models.Graph;
using Forge.Training.Weights;
using Razorvine.Pickle.Objects;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Weights;

/// <summary>How an unpickled Ultralytics checkpoint (dicts and inert class objects) becomes architecture, names and state.</summary>
public class UltralyticsCheckpointTests
{
    // A DetectionModel as the unpickler gives it: a ClassDict of its attributes, with a yaml dict and a module tree.
    static ClassDict Model(string tensorName, Tensor value, string scale = "n")
    {
        var conv = new ClassDict("torch.nn.modules.conv", "Conv2d")
        {
            ["_parameters"] = new OrderedHashtable { [tensorName] = value, ["bias"] = null },
            ["_buffers"] = new OrderedHashtable(),
            ["_modules"] = new OrderedHashtable(),
        };
        var yaml = Plain(JsonDocument.Parse(BuiltinModels.YoloV8.ToJson(scale)).RootElement);
        return new ClassDict("ultralytics.nn.tasks", "DetectionModel")
        {
            ["yaml"] = yaml,
            ["names"] = new Hashtable { [0] = "cat", [1] = "dog" },
            ["_parameters"] = new OrderedHashtable(),
            ["_buffers"] = new OrderedHashtable(),
            ["_modules"] = new OrderedHashtable { ["conv"] = conv },
        };
    }

    static object? Plain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Hashtable(), (h, p) => { h[p.Name] = Plain(p.Value); return h; }),
        JsonValueKind.Array => new ArrayList(e.EnumerateArray().Select(Plain).ToList()),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt32(out int i) ? i : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    [Fact]
    public void TheEmaIsTakenWhenPresentElseTheModel()
    {
        using var fromModel = ones(2);
        using var fromEma = zeros(2);
        var both = new Hashtable { ["model"] = Model("weight", fromModel), ["ema"] = Model("weight", fromEma), ["date"] = "today", ["version"] = "8.3.57" };
        var c = UltralyticsCheckpoint.Interpret(both, "last.pt");
        Assert.Equal("ema", c.Taken);
        Assert.Same(fromEma, c.State["conv.weight"]);
        Assert.False(c.State.ContainsKey("conv.bias"));   // a None parameter is no tensor
        Assert.Equal(["cat", "dog"], c.Names[..2]);
        Assert.Equal(ModelScale.N, c.Architecture);
        Assert.Equal("8.3.57", c.Version);

        var stripped = new Hashtable { ["model"] = Model("weight", fromModel, "s"), ["ema"] = null };
        c = UltralyticsCheckpoint.Interpret(stripped, "best.pt");
        Assert.Equal("model", c.Taken);
        Assert.Same(fromModel, c.State["conv.weight"]);
        Assert.Equal(ModelScale.S, c.Architecture);
    }

    [Fact]
    public void OtherContentsAreNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => UltralyticsCheckpoint.Interpret(new ArrayList(), "x.pt"));
        Assert.Contains("not an Ultralytics checkpoint", e.Message);
        var classifier = new Hashtable { ["model"] = new ClassDict("ultralytics.nn.tasks", "ClassificationModel") };
        e = Assert.Throws<InvalidDataException>(() => UltralyticsCheckpoint.Interpret(classifier, "cls.pt"));
        Assert.Contains("ClassificationModel", e.Message);
        var noYaml = Model("weight", zeros(1));
        noYaml.Remove("yaml");
        e = Assert.Throws<InvalidDataException>(() => UltralyticsCheckpoint.Interpret(new Hashtable { ["model"] = noYaml }, "old.pt"));
        Assert.Contains("no 'yaml' dict", e.Message);
    }
}
