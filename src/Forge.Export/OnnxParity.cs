using Forge.Deploy;
using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export;

/// <summary>
/// How far ONNX Runtime's output is from TorchSharp's on the same input, next to how far TorchSharp's own float32 output is
/// from its float64 forward (the float32 rounding noise of the network: no float32 implementation can be asked to agree with
/// another more closely than each agrees with the exact result).
/// </summary>
/// <param name="MaxBoxDiff">Largest |ORT - TorchSharp| over the box rows (centre x, y, width, height; input pixels).</param>
/// <param name="MaxScoreDiff">Largest |ORT - TorchSharp| over the class scores (after the sigmoid).</param>
/// <param name="Float32BoxError">Largest |TorchSharp float32 - TorchSharp float64| over the box rows.</param>
/// <param name="Float32ScoreError">Largest |TorchSharp float32 - TorchSharp float64| over the scores.</param>
/// <param name="Shape">The output shape both produced, e.g. [1, 84, 8400].</param>
public sealed record ParityResult(double MaxBoxDiff, double MaxScoreDiff, double Float32BoxError, double Float32ScoreError, long[] Shape)
{
    /// <summary>
    /// Scores within <paramref name="bound"/>; boxes within <paramref name="bound"/> pixels, or, where float32 cannot resolve
    /// that (TorchSharp float32 is itself further than that from float64), within <paramref name="noiseFactor"/> times
    /// TorchSharp's own float32 error.
    /// </summary>
    public bool Within(double bound = 1e-4, double noiseFactor = 3) =>
        MaxScoreDiff <= bound && MaxBoxDiff <= Math.Max(bound, noiseFactor * Float32BoxError);

    public override string ToString() =>
        $"ORT vs TorchSharp max |diff|: boxes {MaxBoxDiff:0.0e+0} px, scores {MaxScoreDiff:0.0e+0}; " +
        $"TorchSharp float32 vs float64: boxes {Float32BoxError:0.0e+0} px, scores {Float32ScoreError:0.0e+0}; output [{string.Join(", ", Shape)}]";
}

/// <summary>Runs an exported file with ONNX Runtime and the TorchSharp model it came from on the same images and compares.</summary>
public static class OnnxParity
{
    /// <summary>Seeded uniform [0, 1) images of batch x 3 x height x width.</summary>
    public static float[] RandomImages(int batch, int height, int width, int seed)
    {
        var rng = new Random(seed);
        var x = new float[batch * 3 * height * width];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle();
        return x;
    }

    /// <summary>Compares on <paramref name="images"/> (batch x 3 x height x width, RGB in [0, 1]). The model is switched to
    /// float64 for the reference pass and back to float32 (exact both ways), so it must not be used meanwhile.</summary>
    /// <exception cref="InvalidOperationException">The outputs differ in shape.</exception>
    public static ParityResult Compare(YoloDetector model, OnnxDetector onnx, float[] images, int batch, int height, int width)
    {
        var ort = Array.ConvertAll(onnx.Forward(images, batch, height, width, out int anchors), v => (double)v);
        var (f32, shape) = Decoded(model, images, batch, height, width, ScalarType.Float32);
        double[] f64;
        try { f64 = Decoded(model, images, batch, height, width, ScalarType.Float64).Values; }
        finally { model.to(ScalarType.Float32); }
        if (shape[2] != anchors || f32.Length != ort.Length)
            throw new InvalidOperationException($"ONNX Runtime gave {ort.Length} values ({anchors} anchors), TorchSharp [{string.Join(", ", shape)}]");
        var (box, score) = MaxDiff(ort, f32, (int)shape[1], anchors);
        var (box32, score32) = MaxDiff(f32, f64, (int)shape[1], anchors);
        return new ParityResult(box, score, box32, score32, shape);
    }

    /// <summary>The model's decoded output computed in <paramref name="dtype"/>, read as float64.</summary>
    static (double[] Values, long[] Shape) Decoded(YoloDetector model, float[] images, int batch, int height, int width, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        model.to(dtype);
        var device = model.parameters().First().device;
        var x = tensor(images, [batch, 3, height, width]).to(dtype).to(device);
        var decoded = model.Decode(model.forward(x), height, width).to(ScalarType.Float64).cpu().contiguous();
        return (decoded.data<double>().ToArray(), decoded.shape);
    }

    static (double Box, double Score) MaxDiff(double[] a, double[] b, int rows, int anchors)
    {
        double box = 0, score = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (i / anchors % rows < 4) box = Math.Max(box, d);
            else score = Math.Max(score, d);
        }
        return (box, score);
    }
}
