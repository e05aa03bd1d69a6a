namespace Forge.Training.Tests.Prediction;

/// <summary>The largest differences between two decoded outputs of <see cref="Forge.Training.Prediction.TorchDetectionBackend"/>
/// (per image (4 + classes) x anchors: boxes in input pixels, then class scores).</summary>
static class DecodedDifference
{
    public static (double Boxes, double Scores) Max(float[] a, float[] b, int classes, int anchors)
    {
        Assert.Equal(a.Length, b.Length);
        int perImage = (4 + classes) * anchors;
        double boxes = 0, scores = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            if (i % perImage < 4 * anchors) boxes = Math.Max(boxes, d);
            else scores = Math.Max(scores, d);
        }
        return (boxes, scores);
    }
}
