using Forge.Models;
using Forge.Models.Graph;
using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class DetectorGraphTests
{
    [Fact]
    public void EachOutputIsReleasedAfterItsLastReader()
    {
        // yolov8.yaml: the backbone's P3 (4), P4 (6) and SPPF (9) outputs are read again by the head's Concats (14, 11, 20),
        // the head's P3/P4 (15, 12, 18) by later Concats and Detect; every other output only by the next layer.
        using var model = new YoloDetector(ModelScale.N, numClasses: 3);
        var expected = new Dictionary<int, int> { [4] = 14, [6] = 11, [9] = 20, [12] = 17, [15] = 22, [18] = 22, [21] = 22 };
        for (int i = 0; i < 22; i++)
            Assert.Equal(expected.GetValueOrDefault(i, i + 1), model.LastReader(i));
        Assert.Equal(-1, model.LastReader(22));
        foreach (var layer in model.Layers)
            foreach (int s in layer.Sources.Where(s => s >= 0))
                Assert.True(model.LastReader(s) >= layer.Index, $"layer {layer.Index} reads {s} after it was released");
    }

    [Fact]
    public void YoloV8LayersFollowTheYaml()
    {
        using var model = new YoloDetector(ModelScale.N, numClasses: 80);
        Assert.Equal(23, model.Layers.Count);
        Assert.Equal(Enumerable.Range(0, 23), model.Layers.Select(l => l.Index));
        Assert.Equal("Conv", model.Layers[0].Type);
        Assert.Equal([GraphLayer.Input], model.Layers[0].Sources);
        Assert.IsType<ConvBnAct>(model.Layers[0].Module);
        Assert.IsType<C2f>(model.Layers[2].Module);
        Assert.IsType<Sppf>(model.Layers[9].Module);
        Assert.IsType<Layers.Upsample>(model.Layers[10].Module);
        var concat = model.Layers[11];
        Assert.Equal("Concat", concat.Type);
        Assert.Equal([-1, 6], concat.From);
        Assert.Equal([10, 6], concat.Sources);
        Assert.True(concat.TakesList);
        var detect = model.Layers[22];
        Assert.Equal([15, 18, 21], detect.Sources);
        Assert.Same(model.Head, detect.Module);
        Assert.True(model.Head.Legacy);
        Assert.Equal([8, 16, 32], model.Strides);
        Assert.Equal([64L, 128, 256], model.Head.InChannels);
        // Ultralytics 8.3.57 summary for yolov8n: layer 2 is C2f [32, 32, 1, True] with 7,360 parameters.
        Assert.Equal(1, model.Layers[2].Repeats);
        Assert.Equal(7_360, model.Layers[2].ParameterCount);
        Assert.Equal("[32, 32, 1, True]", YamlValues.Format(model.Layers[2].Args));
    }

    [Fact]
    public void StateDictNamesAreUltralytics()
    {
        using var model = new YoloDetector(ModelScale.Of(BuiltinModels.Yolo11, "n"), numClasses: 80);
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("model.0.conv.weight", names);
        Assert.Contains("model.2.m.0.cv1.conv.weight", names);
        Assert.Contains("model.10.m.0.attn.qkv.conv.weight", names);
        Assert.Contains("model.10.m.0.attn.pe.bn.running_var", names);
        Assert.Contains("model.10.m.0.ffn.1.conv.weight", names);
        Assert.Contains("model.23.cv3.0.0.0.conv.weight", names);    // depthwise class branch
        Assert.Contains("model.23.cv3.0.0.1.bn.weight", names);
        Assert.Contains("model.23.cv3.2.2.bias", names);
        Assert.Contains("model.23.dfl.conv.weight", names);
        Assert.False(model.Head.Legacy);
    }

    [Fact]
    public void Yolo11ScaleMUsesC3kBlocks()
    {
        using var model = new YoloDetector(ModelScale.Of(BuiltinModels.Yolo11, "m"), numClasses: 3);
        var c3k2 = Assert.IsType<C3k2>(model.Layers[2].Module);
        Assert.True(c3k2.UsesC3k);
        Assert.IsType<C3k>(c3k2.Blocks[0]);
    }

    [Fact]
    public void Yolo11ForwardGivesOneRowPerAnchor()
    {
        using var model = new YoloDetector(ModelScale.Of(BuiltinModels.Yolo11, "n"), numClasses: 5);
        model.eval();
        using var _ = no_grad();
        using var x = rand(2, 3, 64, 96);
        using var y = model.forward(x);
        long anchors = 8 * 12 + 4 * 6 + 2 * 3;
        Assert.Equal(new long[] { 2, 64 + 5, anchors }, y.shape);
    }
}
