using Forge.Deploy;
using Forge.Models;

namespace Forge.Export.Tests;

/// <summary>ONNX Runtime runs the exported graph to within 1e-4 of the TorchSharp model (boxes in pixels and scores).</summary>
public sealed class ExportParityTests
{
    // Float32 both sides; the graphs differ only by Conv+BN fusion (float64 here, rounded once) and by kernel summation
    // order (oneDNN vs MLAS), which leave differences of order 1e-6 relative: about 1e-5 px on boxes of a 128-px input.
    const double Bound = 1e-4;

    [Fact]
    public void Fixed_size_export_matches_TorchSharp_at_batch_1()
    {
        using var model = TestModels.Random(ModelScale.N, 3, seed: 1);
        var path = TestModels.TempPath("n-static.onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 128, ImageWidth = 128 }, TestModels.Description(3), path);
        Assert.Equal("[1, 3, 128, 128]", result.InputShape);
        Assert.Equal("[1, 7, 336]", result.OutputShape);
        using var onnx = new OnnxDetector(path);
        var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(1, 128, 128, seed: 2), 1, 128, 128);
        Assert.True(parity.Within(Bound), parity.ToString());
    }

    [Fact]
    public void Dynamic_export_matches_TorchSharp_at_other_batch_sizes_and_image_sizes()
    {
        using var model = TestModels.Random(ModelScale.N, 5, seed: 3);
        var path = TestModels.TempPath("n-dynamic.onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Dynamic = true }, TestModels.Description(5), path);
        Assert.Equal("[batch, 3, height, width]", result.InputShape);
        Assert.Equal("[batch, 9, anchors]", result.OutputShape);
        using var onnx = new OnnxDetector(path);
        foreach (var (batch, h, w) in new[] { (1, 64, 64), (3, 96, 128), (2, 160, 96) })
        {
            var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(batch, h, w, seed: h + w), batch, h, w);
            Assert.Equal([batch, 9, Models.Geometry.AnchorGrid.CountFor(h, w, [8, 16, 32])], parity.Shape);
            Assert.True(parity.Within(Bound), $"batch {batch} {h}x{w}: {parity}");
        }
    }
}
