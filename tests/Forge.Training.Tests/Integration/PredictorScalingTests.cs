using Forge.Core.Detection;
using OpenCvSharp;
using Forge.Training.Prediction;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class PredictorScalingTests : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// Validation enlarges images smaller than imgsz to fill it (the dataset resizes the long side to imgsz), and so does
    /// Ultralytics' predict; a predictor that only pads them shows the model objects at a scale it was not trained for.
    /// A 32x32 image and its 64x64 enlargement must give the model the same input, so the same detections at half the size.
    /// </summary>
    [Fact]
    public void An_image_smaller_than_imgsz_is_enlarged_like_validation_does()
    {
        var (model, names) = ModelFactory.FromCheckpoint(ConfidentWeights.Write(temp.Combine("w.safetensors"), numClasses: 2));
        using var _ = model;
        using var small = new Mat(32, 32, MatType.CV_8UC3);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                bool inside = x >= 8 && x < 24 && y >= 10 && y < 22;
                small.Set(y, x, new Vec3b(90, (byte)(inside ? 50 : 60 + y), (byte)(inside ? 220 : 40 + x)));
            }
        // Predict enlarges with the same cv2.resize INTER_LINEAR the letterbox uses: the model sees identical inputs.
        using var large = new Mat();
        Cv2.Resize(small, large, new OpenCvSharp.Size(64, 64), 0, 0, InterpolationFlags.Linear);
        var predictor = new Predictor(model, names, 64, CPU, new NmsOptions(ConfThreshold: 0.3f, IouThreshold: 0.7f, MaxDetections: 50));

        var fromSmall = predictor.Predict(small, "small");
        var fromLarge = predictor.Predict(large, "large");
        Assert.NotEmpty(fromLarge.Detections);
        Assert.Equal(fromLarge.Detections.Count, fromSmall.Detections.Count);
        for (int i = 0; i < fromLarge.Detections.Count; i++)
        {
            Detection s = fromSmall.Detections[i], l = fromLarge.Detections[i];
            Assert.Equal(l.ClassId, s.ClassId);
            Assert.Equal(l.Score, s.Score, 5);
            Assert.Equal(l.Box.X1 / 2, s.Box.X1, 3);
            Assert.Equal(l.Box.Y1 / 2, s.Box.Y1, 3);
            Assert.Equal(l.Box.X2 / 2, s.Box.X2, 3);
            Assert.Equal(l.Box.Y2 / 2, s.Box.Y2, 3);
        }
    }
}
