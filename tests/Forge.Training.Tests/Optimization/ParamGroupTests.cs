using Forge.Models;
using Forge.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ParamGroup = Forge.Training.Optimization.ParamGroup;

namespace Forge.Training.Tests.Optimization;

public class ParamGroupTests
{
    [Fact]
    public void DetectorSplitsIntoBiasWeightAndNormGroups()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var named = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        var groups = ParamGroup.SplitForDetection(named, weightDecay: 0.0005);

        // Reference grouping by module type, as Ultralytics does it: BatchNorm weights, any bias, other weights.
        var bias = new HashSet<string>();
        var weight = new HashSet<string>();
        var norm = new HashSet<string>();
        foreach (var (name, module) in model.named_modules())
        {
            // The head is also registered under its own field name; its parameters are named by their list position.
            if (!name.StartsWith("model.", StringComparison.Ordinal)) continue;
            if (module is BatchNorm2d) { norm.Add(name + ".weight"); bias.Add(name + ".bias"); }
            else if (module is Conv2d conv)
            {
                if (conv.weight!.requires_grad) weight.Add(name + ".weight");
                if (conv.bias is not null) bias.Add(name + ".bias");
            }
        }

        Assert.Equal(["bias", "weight", "norm"], groups.Select(g => g.Name));
        Assert.Equal(bias.Order(), groups[0].Parameters.Select(p => p.Name).Order());
        Assert.Equal(weight.Order(), groups[1].Parameters.Select(p => p.Name).Order());
        Assert.Equal(norm.Order(), groups[2].Parameters.Select(p => p.Name).Order());

        // YOLOv8n: 57 BatchNorms, 57 conv+BN blocks plus 6 head output convs with bias. Ultralytics reports
        // "57 weight(decay=0.0), 64 weight(decay=0.0005), 63 bias(decay=0.0)"; its 64 includes the frozen DFL conv.
        Assert.Equal(63, groups[0].Parameters.Count);
        Assert.Equal(63, groups[1].Parameters.Count);
        Assert.Equal(57, groups[2].Parameters.Count);

        Assert.DoesNotContain(groups.SelectMany(g => g.Parameters), p => p.Name == "model.22.dfl.conv.weight");
        int trainable = named.Count(p => p.Item2.requires_grad);
        Assert.Equal(named.Count - 1, trainable);
        Assert.Equal(trainable, groups.Sum(g => g.Parameters.Count));

        Assert.Equal(0, groups[0].WeightDecay);
        Assert.Equal(0.0005, groups[1].WeightDecay);
        Assert.Equal(0, groups[2].WeightDecay);

        // The groups hold the model's own tensors, not copies.
        var first = groups[1].Parameters[0];
        Assert.Equal(named.Single(n => n.name == first.Name).Item2.Handle, first.Param.Handle);
    }

    [Fact]
    public void EveryBiasIsInGroupZeroAndEveryBatchNormWeightInGroupTwo()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var groups = ParamGroup.SplitForDetection(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), 0.1);
        Assert.All(groups[0].Parameters, p => Assert.EndsWith(".bias", p.Name));
        Assert.All(groups[1].Parameters, p => Assert.EndsWith(".weight", p.Name));
        Assert.All(groups[1].Parameters, p => Assert.True(p.Param.dim() == 4, $"{p.Name} is not a conv kernel"));
        Assert.All(groups[2].Parameters, p => Assert.EndsWith(".bn.weight", p.Name));
        Assert.All(groups[2].Parameters, p => Assert.Equal(1, p.Param.dim()));
    }
}
