using Forge.Core.Detection;
using Forge.Data.Datasets;
using Forge.Data.Inference;
using Forge.Training.Tests.Integration;
using Forge.Training.Validation;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Validation;

/// <summary>What validation hands a backend that takes floats (an ONNX model), and what it keeps once the pass is over.</summary>
public sealed class ValidatorBackendTests
{
    /// <summary>Checks every input value is a byte over 255f and reports one whole-frame box per image.</summary>
    sealed class CheckingBackend : IDetectionBackend
    {
        public int Batches;
        public HashSet<float> Values { get; } = [];
        public int NumClasses => 1;
        public int Stride => 32;
        public (int Height, int Width)? FixedInputSize => null;

        public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
        {
            // The validator's float array is kept for the pass: a later batch may get a longer one (its floats past the batch are not the batch's).
            Assert.True(images.Length >= batch * 3 * height * width, $"{images.Length} floats for {batch}x3x{height}x{width}");
            foreach (float x in images.AsSpan(0, batch * 3 * height * width))
            {
                int v = (int)MathF.Round(x * 255);
                Assert.True(v is >= 0 and <= 255 && BitConverter.SingleToInt32Bits(v / 255f) == BitConverter.SingleToInt32Bits(x), $"{x} is not a byte / 255f");
                Values.Add(x);
            }
            Batches++;
            anchors = 1;
            var output = new float[batch * 5];
            for (int i = 0; i < batch; i++)
            {
                output[i * 5] = width / 2f; output[i * 5 + 1] = height / 2f; output[i * 5 + 2] = width; output[i * 5 + 3] = height; output[i * 5 + 4] = 0.9f;
            }
            return output;
        }
    }

    [Fact]
    public void A_float_backend_gets_bytes_over_255_and_the_loader_keeps_no_arrays_after_the_pass()
    {
        using var temp = new TempDirectory("forge-val-backend-");
        var spec = DatasetResolver.Load(TinyDatasets.WholeFrame(temp.Combine("frames")));
        var index = TinyDatasets.ValIndex(spec);
        var validator = new Validator(index, spec.Names, 64, batch: 3, workers: 1, CPU, new NmsOptions(0.001f, 0.7f, 300, MultiLabel: true));
        var backend = new CheckingBackend();
        var metrics = validator.Run(backend).Metrics;
        Assert.Equal(2, backend.Batches);
        Assert.True(backend.Values.Count > 10, $"only {backend.Values.Count} distinct input values");
        Assert.True(metrics.Map50 > 0.9, $"whole-frame boxes on whole-frame objects should score, got mAP50 {metrics.Map50}");
        Assert.Equal(0, validator.LoaderArraysHeld);
    }
}
