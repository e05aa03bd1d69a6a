using System.Text.Json;
using Forge.Models;
using Forge.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Weights;

/// <summary>
/// Forge's forward pass against Ultralytics 8.3.57's on the same weights and input. The .pt files and outputs in
/// tests/fixtures/ultralytics were written by Ultralytics' own code (YOLO(yaml).save() for tiny-yolov8, the trainer's
/// last.pt after a 1-epoch run for tiny-yolo11); regenerate them with tests/fixtures/ultralytics/make_fixtures.py
/// (PYTHONPATH=ultralytics-8.3.57 /usr/bin/python3 make_fixtures.py; see its docstring).
/// </summary>
public class UltralyticsForwardTests
{
    // Both sides compute in float32 from the same fp16-rounded weights; libtorch 1.13 and 2.10 and different SIMD paths
    // sum in different orders. Measured here (AVX-512): raw outputs differ by at most 2.9e-6 (tiny fixtures) and 1.1e-5
    // (yolov8n), within the bound of 1e-4. Decoded boxes are in pixels, i.e. grid units times the stride (up to
    // 32), which multiplies the same rounding by up to 32 (9.2e-5 px on yolov8n); they are compared in grid units, the
    // class probabilities as they are.
    const double Tolerance = 1e-4;

    [Theory]
    [InlineData("tiny-yolov8", "tiny-yolov8", 3)]
    [InlineData("tiny-yolo11", "tiny-yolo11", 3)]
    public void ForwardEqualsUltralytics(string fixture, string family, int nc)
    {
        var dir = FixturePaths.Ultralytics;
        using var weights = PretrainedWeights.Load(Path.Combine(dir, fixture + ".pt"));
        Assert.Equal(family, weights.Architecture.Yaml.Family);
        Assert.Equal(nc, weights.NumClasses);
        using var model = weights.CreateModel();
        CompareWithReference(model, Path.Combine(dir, fixture));
    }

    [Fact]
    public void StandardScaleModelsWhenGenerated()
    {
        // Full-size yolov8n / yolo11n written by make_fixtures.py --standard DIR (too big to commit): FORGE_ULTRALYTICS_STANDARD=DIR.
        var dir = Environment.GetEnvironmentVariable("FORGE_ULTRALYTICS_STANDARD");
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) return;
        foreach (var name in new[] { "yolov8n", "yolo11n" })
        {
            using var weights = PretrainedWeights.Load(Path.Combine(dir, name + ".pt"));
            Assert.Equal(name, weights.Architecture.Name);
            using var model = weights.CreateModel();
            CompareWithReference(model, Path.Combine(dir, name));
        }
    }

    internal static void CompareWithReference(YoloDetector model, string stem)
    {
        var meta = JsonDocument.Parse(File.ReadAllText(stem + ".out.json")).RootElement;
        long[] Shape(string key) => meta.GetProperty(key).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var inShape = Shape("input_shape");
        var rawShape = Shape("raw_shape");
        var decodedShape = Shape("decoded_shape");
        Assert.Equal(meta.GetProperty("parameters").GetInt64(), model.ParameterCount());
        var reference = ReadFloats(stem + ".out.bin");
        long rawCount = rawShape.Aggregate(1L, (a, b) => a * b);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var x = FixedInput(inShape);
        var raw = model.forward(x);
        var decoded = model.Decode(raw, (int)inShape[2], (int)inShape[3]);
        Assert.Equal(rawShape, raw.shape);
        Assert.Equal(decodedShape, decoded.shape);
        var expectedRaw = tensor(reference[..(int)rawCount]).reshape(rawShape);
        var expectedDecoded = tensor(reference[(int)rawCount..]).reshape(decodedShape);
        double rawErr = (raw.to(float64) - expectedRaw.to(float64)).abs().max().item<double>();
        var perStride = cat([model.Anchors((int)inShape[2], (int)inShape[3], decoded.device).StrideTensor.T.expand(4, -1),
                             ones(decodedShape[1] - 4, decodedShape[2])], 0).unsqueeze(0).to(float64);
        double decErr = ((decoded.to(float64) - expectedDecoded.to(float64)) / perStride).abs().max().item<double>();
        Assert.True(rawErr <= Tolerance, $"{Path.GetFileName(stem)}: raw output differs from Ultralytics' by {rawErr:E2} (max abs)");
        Assert.True(decErr <= Tolerance, $"{Path.GetFileName(stem)}: decoded output differs from Ultralytics' by {decErr:E2} (max abs, boxes in grid units)");
    }

    /// <summary>x[i] = ((i * 7919) % 1009) / 1008 over the flattened input, as make_fixtures.py writes it.</summary>
    internal static Tensor FixedInput(long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)(((i * 7919) % 1009) / 1008.0);
        return tensor(values).reshape(shape);
    }

    static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, floats.Length * 4);
        return floats;
    }
}
