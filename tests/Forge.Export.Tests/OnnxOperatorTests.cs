using Forge.Deploy;
using Forge.Models;
using Xunit.Abstractions;

namespace Forge.Export.Tests;

/// <summary>
/// Every operator the exporter writes, at every op-set it offers, is loaded by ONNX Runtime (session creation resolves each
/// node to a kernel of that op-set and runs shape inference) and runs to TorchSharp's result.
/// </summary>
public sealed class OnnxOperatorTests(ITestOutputHelper output)
{
    /// <summary>The operators of a YOLOv8 export: a new one must be added here, which makes this test load it.</summary>
    static readonly string[] StaticOps = ["Add", "Concat", "Conv", "Div", "MaxPool", "Mul", "Reshape", "Resize", "Sigmoid", "Softmax", "Split", "Sub", "Transpose"];
    /// <summary>Dynamic sizes add the in-graph anchor grid.</summary>
    static readonly string[] DynamicOps = [.. StaticOps, "Cast", "Expand", "Gather", "Range", "Shape", "Slice", "Unsqueeze"];
    /// <summary>YOLO11's attention (C2PSA) adds MatMul and reshapes to the input's Shape.</summary>
    static readonly string[] Yolo11Ops = [.. StaticOps, "MatMul", "Shape"];

    public static TheoryData<int> Opsets()
    {
        var data = new TheoryData<int>();
        for (int opset = OnnxExportOptions.MinOpset; opset <= OnnxExportOptions.MaxOpset; opset++) data.Add(opset);
        return data;
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Every_operator_loads_and_runs_in_ONNX_Runtime_at_each_opset(int opset)
    {
        using var model = TestModels.Random(ModelScale.N, 2, seed: opset);
        foreach (bool dynamic in new[] { false, true })
        {
            var path = TestModels.TempPath($"ops{opset}{(dynamic ? "d" : "s")}.onnx");
            var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Opset = opset, Dynamic = dynamic },
                                             TestModels.Description(2), path);
            Assert.Equal(dynamic ? DynamicOps.Order() : StaticOps.Order(), result.OpCounts.Keys.Order());
            Assert.Equal(opset, result.Opset);
            Assert.Equal(OnnxExportOptions.IrVersion(opset), result.IrVersion);
            using var onnx = new OnnxDetector(path);
            var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(1, 64, 64, seed: 1), 1, 64, 64);
            output.WriteLine($"opset {opset} {(dynamic ? "dynamic" : "static")}: {parity}");
            Assert.True(parity.Within(1e-4), parity.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Yolo11_operators_load_and_run_in_ONNX_Runtime_at_each_opset(int opset)
    {
        using var model = TestModels.Random(TestModels.Yolo11N, 2, seed: opset);
        var path = TestModels.TempPath($"yolo11-ops{opset}.onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Opset = opset }, TestModels.Description(2), path);
        Assert.Equal(Yolo11Ops.Order(), result.OpCounts.Keys.Order());
        using var onnx = new OnnxDetector(path);
        var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(1, 64, 64, seed: 1), 1, 64, 64);
        output.WriteLine($"yolo11n opset {opset}: {parity}");
        Assert.True(parity.Within(1e-4), parity.ToString());
    }

    [Fact]
    public void An_opset_outside_the_supported_range_is_refused_naming_the_range()
    {
        using var model = TestModels.Random(ModelScale.N, 2, seed: 0);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Opset = 12 }, TestModels.Description(2), TestModels.TempPath("x.onnx")));
        Assert.Contains($"op-sets {OnnxExportOptions.MinOpset} to {OnnxExportOptions.MaxOpset}", e.Message);
    }
}
