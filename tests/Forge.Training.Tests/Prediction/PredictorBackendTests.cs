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
            Assert.InRange(images.Length, batch * 3 * height * width, int.MaxValue);   // a reused buffer may be longer
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

    /// <summary>Takes <paramref name="milliseconds"/> per forward, else as <see cref="RecordingBackend"/> for any input size;
    /// records how long each forward took, measured inside it.</summary>
    sealed class SlowBackend(int milliseconds) : IDetectionBackend
    {
        readonly RecordingBackend inner = new(null);
        public List<double> ForwardMs { get; } = [];
        public int NumClasses => inner.NumClasses;
        public int Stride => inner.Stride;
        public (int Height, int Width)? FixedInputSize => null;

        public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Thread.Sleep(milliseconds);
            var output = inner.Forward(images, batch, height, width, out anchors);
            ForwardMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return output;
        }
    }

    [Fact]
    public void Each_prediction_times_its_parts_and_a_run_reports_their_means_with_the_last_input_shape()
    {
        var backend = new SlowBackend(30);
        var predictor = new Predictor(backend, ["a", "b"], 96, new NmsOptions(0.25f));
        using var wide = new Mat(100, 150, MatType.CV_8UC3, Scalar.All(80));
        using var tall = new Mat(150, 100, MatType.CV_8UC3, Scalar.All(80));
        var wall = new List<double>();
        PredictionSpeed Timed(Mat image, string path)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            var speed = predictor.Predict(image, path).Speed!;
            wall.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return speed;
        }
        var first = Timed(wide, "wide");
        var second = Timed(tall, "tall");
        Assert.Equal((64, 96), (first.InputHeight, first.InputWidth));
        Assert.Equal((96, 64), (second.InputHeight, second.InputWidth));
        var speeds = new[] { first, second };
        for (int k = 0; k < 2; k++)
        {
            var s = speeds[k];
            // The backend's forward (its 30 ms sleep) lies inside inference, and the three parts inside the whole call: no
            // comparison of two durations that load on the machine stretches differently.
            Assert.InRange(s.InferenceMs, backend.ForwardMs[k], 30_000);
            Assert.InRange(backend.ForwardMs[k], 30, 30_000);
            Assert.True(s.PreprocessMs >= 0 && s.PostprocessMs >= 0, $"negative part: {s}");
            Assert.InRange(s.PreprocessMs + s.InferenceMs + s.PostprocessMs, 0, wall[k]);
        }

        var mean = PredictionSpeed.Mean([first, second])!;
        Assert.Equal((first.PreprocessMs + second.PreprocessMs) / 2, mean.PreprocessMs, 9);
        Assert.Equal((first.InferenceMs + second.InferenceMs) / 2, mean.InferenceMs, 9);
        Assert.Equal((first.PostprocessMs + second.PostprocessMs) / 2, mean.PostprocessMs, 9);
        Assert.Equal((96, 64), (mean.InputHeight, mean.InputWidth));
        Assert.Null(PredictionSpeed.Mean([]));
        Assert.Equal("Speed: 1.2ms preprocess, 45.7ms inference, 0.1ms postprocess per image at shape (1, 3, 384, 640)",
                     new PredictionSpeed(1.24, 45.66, 0.05, 384, 640).SummaryLine());
    }
}
