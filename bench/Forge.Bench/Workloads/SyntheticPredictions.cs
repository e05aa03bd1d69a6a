using Forge.Core.Detection;
using Forge.Core.Geometry;

namespace Forge.Bench.Workloads;

/// <summary>
/// Raw YOLOv8 head outputs (after box decoding and sigmoid, the layout <see cref="NonMaxSuppression.Run"/> takes) that look
/// like a partly trained detector's, with their ground truth: every anchor of the stride 8/16/32 grids carries a small box
/// and low background scores for every class (score = noise x u^3, so at conf=0.001 a large share of anchor-class pairs become
/// candidates, as in validation); anchors near an object's centre predict a jittered copy of its box with a high score for its
/// class and a weaker one for a confusable class.
/// </summary>
public sealed class SyntheticPredictions
{
    public int ImageSize { get; }
    public int NumClasses { get; }
    public int NumAnchors { get; }
    /// <summary>(4 + classes) x anchors, row-major.</summary>
    public float[] Values { get; }
    public List<LabeledBox> GroundTruth { get; }

    public SyntheticPredictions(int imageSize, int numClasses, int objects, float noise, int seed)
    {
        ImageSize = imageSize;
        NumClasses = numClasses;
        var rng = new Random(seed);
        var anchors = new List<(float X, float Y, int Stride)>();
        foreach (int stride in new[] { 8, 16, 32 })
            for (int gy = 0; gy < imageSize / stride; gy++)
                for (int gx = 0; gx < imageSize / stride; gx++)
                    anchors.Add(((gx + 0.5f) * stride, (gy + 0.5f) * stride, stride));
        NumAnchors = anchors.Count;
        int a = NumAnchors;
        Values = new float[(4 + numClasses) * a];

        for (int i = 0; i < a; i++)
        {
            var (x, y, stride) = anchors[i];
            Values[i] = x + (float)(rng.NextDouble() - 0.5) * stride;
            Values[a + i] = y + (float)(rng.NextDouble() - 0.5) * stride;
            Values[2 * a + i] = stride * (1 + 3 * (float)rng.NextDouble());
            Values[3 * a + i] = stride * (1 + 3 * (float)rng.NextDouble());
            for (int c = 0; c < numClasses; c++)
            {
                double u = rng.NextDouble();
                Values[(4 + c) * a + i] = noise * (float)(u * u * u);
            }
        }

        GroundTruth = new List<LabeledBox>(objects);
        for (int k = 0; k < objects; k++)
        {
            float w = imageSize * (0.05f + 0.45f * (float)rng.NextDouble()), h = imageSize * (0.05f + 0.45f * (float)rng.NextDouble());
            float cx = w / 2 + (imageSize - w) * (float)rng.NextDouble(), cy = h / 2 + (imageSize - h) * (float)rng.NextDouble();
            int cls = rng.Next(numClasses), confusable = (cls + 1 + rng.Next(Math.Max(1, numClasses - 1))) % numClasses;
            GroundTruth.Add(new LabeledBox(BoxF.FromCenter(cx, cy, w, h), cls));
            float peak = 0.5f + 0.45f * (float)rng.NextDouble();
            for (int i = 0; i < a; i++)
            {
                var (x, y, stride) = anchors[i];
                // The anchors the assigner would pick: centre region of the object, on the scale that fits its size.
                float dx = (x - cx) / (w / 2), dy = (y - cy) / (h / 2);
                float d = MathF.Sqrt(dx * dx + dy * dy);
                if (d >= 0.6f || Math.Max(w, h) < 2 * stride || Math.Max(w, h) > 24 * stride) continue;
                float jitter = 0.08f * (1 + d);
                Values[i] = cx + w * jitter * (float)(rng.NextDouble() - 0.5);
                Values[a + i] = cy + h * jitter * (float)(rng.NextDouble() - 0.5);
                Values[2 * a + i] = w * (1 + jitter * (float)(rng.NextDouble() - 0.5));
                Values[3 * a + i] = h * (1 + jitter * (float)(rng.NextDouble() - 0.5));
                float score = peak * (1 - d) * (0.8f + 0.2f * (float)rng.NextDouble());
                ref float own = ref Values[(4 + cls) * a + i];
                own = Math.Max(own, score);
                ref float other = ref Values[(4 + confusable) * a + i];
                other = Math.Max(other, 0.3f * score);
            }
        }
    }
}
