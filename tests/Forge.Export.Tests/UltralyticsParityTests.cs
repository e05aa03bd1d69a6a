using System.Text.Json;
using Forge.Deploy;
using Forge.Training.Weights;
using Xunit.Abstractions;

namespace Forge.Export.Tests;

/// <summary>
/// ONNX Runtime on Forge's export of an Ultralytics .pt against Ultralytics 8.3.57's own forward of that file
/// (tests/fixtures/ultralytics: tiny YOLOv8 and YOLO11 with randomised BatchNorm statistics, two strides, a 64x96 input).
/// </summary>
public sealed class UltralyticsParityTests(ITestOutputHelper output)
{
    // As UltralyticsForwardTests (TorchSharp against Ultralytics): both float32, different summation orders; boxes compared
    // in grid units (pixels / stride), class scores as they are.
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData("tiny-yolov8", false)]
    [InlineData("tiny-yolov8", true)]
    [InlineData("tiny-yolo11", false)]
    [InlineData("tiny-yolo11", true)]
    public void Exported_pt_runs_in_ONNX_Runtime_to_Ultralytics_decoded_output(string fixture, bool dynamic)
    {
        string stem = Path.Combine(Forge.Training.Tests.Weights.FixturePaths.Ultralytics, fixture);
        var meta = JsonDocument.Parse(File.ReadAllText(stem + ".out.json")).RootElement;
        int[] Shape(string key) => meta.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] input = Shape("input_shape"), raw = Shape("raw_shape"), decoded = Shape("decoded_shape");
        int h = input[2], w = input[3], anchors = decoded[2];
        var strides = meta.GetProperty("strides").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        using var weights = PretrainedWeights.Load(stem + ".pt");
        using var model = weights.CreateModel();
        var path = TestModels.TempPath(fixture + ".onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = h, ImageWidth = w, Dynamic = dynamic },
                                         new ExportDescription(weights.Names, weights.Architecture.Name, null, "test"), path);
        Assert.Equal(dynamic ? "[batch, 3, height, width]" : $"[1, 3, {h}, {w}]", result.InputShape);
        using var onnx = new OnnxDetector(path);
        var ort = onnx.Forward(FixedInput(input), 1, h, w, out int ortAnchors);
        Assert.Equal(anchors, ortAnchors);

        var bytes = File.ReadAllBytes(stem + ".out.bin");
        var reference = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, reference, 0, bytes.Length);
        int offset = raw.Aggregate(1, (a, b) => a * b);
        var stride = AnchorStrides(h, w, strides);
        double boxErr = 0, scoreErr = 0;
        for (int i = 0; i < ort.Length; i++)
        {
            int row = i / anchors, a = i % anchors;
            double d = Math.Abs((double)ort[i] - reference[offset + i]);
            if (row < 4) boxErr = Math.Max(boxErr, d / stride[a]);
            else scoreErr = Math.Max(scoreErr, d);
        }
        output.WriteLine($"{fixture} {(dynamic ? "dynamic" : "fixed")}: max |ORT - Ultralytics| boxes {boxErr:0.0e0} grid units, scores {scoreErr:0.0e0}");
        Assert.True(boxErr <= Tolerance && scoreErr <= Tolerance, $"boxes {boxErr:E2} (grid units), scores {scoreErr:E2}");
    }

    /// <summary>x[i] = ((i * 7919) % 1009) / 1008 over the flattened input, as make_fixtures.py writes it.</summary>
    static float[] FixedInput(int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (long i = 0; i < values.Length; i++) values[i] = (float)(((i * 7919) % 1009) / 1008.0);
        return values;
    }

    static float[] AnchorStrides(int h, int w, int[] strides) =>
        strides.SelectMany(s => Enumerable.Repeat((float)s, ((h + s - 1) / s) * ((w + s - 1) / s))).ToArray();
}
