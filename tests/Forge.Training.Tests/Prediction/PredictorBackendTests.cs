using Forge.Core.Detection;
using Forge.Data.Inference;
using Forge.Training.Prediction;
using OpenCvSharp;

namespace Forge.Training.Tests.Prediction;

/// <summary>What the predictor hands a backend: Ultralytics' minimal-padding letterbox for a model that takes any size, the
/// export size (square padding) for a fixed-size one; detections come back in the image's pixels either way.</summary>
public sealed class PredictorBackendTests
{
    /// <summary>Records input sizes and reports one box at the centre of the input, 40 x 20 input pixels, class 1.</summary>
    sealed class RecordingBackend((int Height, int Width)? fixedSize) : IDetectionBackend
    {
        public List<(int Height, int Width)> Inputs { get; } = [];
        public int NumClasses => 2;
        public int Stride => 32;
        public (int Height, int Width)? FixedInputSize => fixedSize;

        public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
        {
            Assert.Equal(batch * 3 * height * width, images.Length);
            Inputs.Add((height, width));
            anchors = 1;
            return [width / 2f, height / 2f, 40, 20, 0.1f, 0.9f];
        }
    }

    [Theory]
    [InlineData(false, 64, 96, 0f, 0f)]      // 150x100 at imgsz 96: scale 0.64, 96 wide x 64 high exactly, no padding
    [InlineData(true, 96, 96, 0f, 16f)]      // fixed 96x96: 16 px grey above and below
    public void The_letterbox_depends_on_whether_the_model_has_a_fixed_size(bool fixedSize, int height, int width, float padX, float padY)
    {
        var backend = new RecordingBackend(fixedSize ? (96, 96) : null);
        using var image = new Mat(100, 150, MatType.CV_8UC3, Scalar.All(80));
        var prediction = new Predictor(backend, ["a", "b"], 96, new NmsOptions(0.25f)).Predict(image, "grey");
        Assert.Equal((height, width), Assert.Single(backend.Inputs));
        var d = Assert.Single(prediction.Detections);
        Assert.Equal(1, d.ClassId);
        const float scale = 0.64f;
        Assert.Equal((width / 2f - 20 - padX) / scale, d.Box.X1, 3);
        Assert.Equal((height / 2f - 10 - padY) / scale, d.Box.Y1, 3);
        Assert.Equal((width / 2f + 20 - padX) / scale, d.Box.X2, 3);
        Assert.Equal((height / 2f + 10 - padY) / scale, d.Box.Y2, 3);
    }
}
