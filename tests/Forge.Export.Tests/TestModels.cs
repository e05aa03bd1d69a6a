using Forge.Models;
using Forge.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Export.Tests;

static class TestModels
{
    /// <summary>
    /// A detector with seeded random weights whose BatchNorms have non-trivial statistics and affine parameters, so Conv+BN
    /// fusion is really exercised (a fresh BatchNorm is an identity up to eps).
    /// </summary>
    public static ModelScale Yolo11N => ModelScale.Of(Forge.Models.Graph.BuiltinModels.Yolo11, "n");

    public static YoloDetector Random(ModelScale scale, int numClasses, int seed)
    {
        // Weights from a private generator: tests run in parallel and in random order, so the global one is not ours.
        var model = Forge.Testing.SeededWeights.Reset(new YoloDetector(scale, numClasses), (ulong)seed);
        using var _ = no_grad();
        var gen = new Generator((ulong)seed);
        foreach (var m in model.modules())
        {
            if (m is not BatchNorm2d bn) continue;
            long c = bn.num_features;
            bn.running_mean!.copy_(randn(c, generator: gen) * 0.2);
            bn.running_var!.copy_(rand(c, generator: gen) + 0.5);
            bn.weight!.copy_(rand(c, generator: gen) + 0.5);
            bn.bias!.copy_(randn(c, generator: gen) * 0.2);
        }
        model.eval();
        return model;
    }

    public static string TempPath(string name) =>
        Path.Combine(Path.GetTempPath(), "forge-export-tests", $"{Guid.NewGuid():N}"[..8] + "-" + name);

    public static ExportDescription Description(int numClasses) =>
        new(Enumerable.Range(0, numClasses).Select(i => $"class{i}").ToArray(), "yolov8n", "test.yaml", "0.0.0-test");
}
