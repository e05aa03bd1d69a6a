namespace Forge.Core.Tests.Detection;

// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;

public class NonMaxSuppressionTests
{
    /// <summary>One anchor: centre box in pixels plus one score per class.</summary>
    private readonly record struct Anchor(float Cx, float Cy, float W, float H, float[] Scores);

    /// <summary>Lays anchors out as the (4 + nc) x numAnchors row-major head output.</summary>
    private static float[] HeadOutput(int numClasses, params Anchor[] anchors)
    {
        int n = anchors.Length;
        var p = new float[(4 + numClasses) * n];
        for (int a = 0; a < n; a++)
        {
            p[a] = anchors[a].Cx;
            p[n + a] = anchors[a].Cy;
            p[2 * n + a] = anchors[a].W;
            p[3 * n + a] = anchors[a].H;
            for (int c = 0; c < numClasses; c++) p[(4 + c) * n + a] = anchors[a].Scores[c];
        }
        return p;
    }

    private static List<Detection> Run(int nc, NmsOptions options, params Anchor[] anchors) =>
        NonMaxSuppression.Run(HeadOutput(nc, anchors), anchors.Length, nc, options);

    [Fact]
    public void DecodesCentreBoxToCorners()
    {
        var dets = Run(1, new NmsOptions(), new Anchor(50, 40, 20, 10, [0.9f]));
        Assert.Single(dets);
        Assert.Equal(new BoxF(40, 35, 60, 45), dets[0].Box);
        Assert.Equal(0.9f, dets[0].Score);
        Assert.Equal(0, dets[0].ClassId);
    }

    [Fact]
    public void SuppressesOverlapWithinClassAndKeepsDistantBox()
    {
        // [40,40,60,60] vs [42,40,62,60]: intersection 18*20 = 360, union 440, IoU 0.818 > 0.7.
        var dets = Run(1, new NmsOptions(),
            new Anchor(50, 50, 20, 20, [0.9f]),
            new Anchor(52, 50, 20, 20, [0.8f]),
            new Anchor(200, 200, 20, 20, [0.7f]));
        Assert.Equal(2, dets.Count);
        Assert.Equal(0.9f, dets[0].Score);
        Assert.Equal(new BoxF(40, 40, 60, 60), dets[0].Box);
        Assert.Equal(0.7f, dets[1].Score);
    }

    [Fact]
    public void DoesNotSuppressAcrossClassesUnlessAgnostic()
    {
        var anchors = new[]
        {
            new Anchor(50, 50, 20, 20, [0.9f, 0.1f]),
            new Anchor(52, 50, 20, 20, [0.1f, 0.8f]),
        };
        var aware = Run(2, new NmsOptions(), anchors);
        Assert.Equal(2, aware.Count);
        Assert.Equal((0.9f, 0), (aware[0].Score, aware[0].ClassId));
        Assert.Equal((0.8f, 1), (aware[1].Score, aware[1].ClassId));

        var agnostic = Run(2, new NmsOptions(ClassAgnostic: true), anchors);
        Assert.Single(agnostic);
        Assert.Equal((0.9f, 0), (agnostic[0].Score, agnostic[0].ClassId));
    }

    [Fact]
    public void IouThresholdIsStrict()
    {
        // [0,0,3,1] vs [1,0,4,1]: intersection 2, union 4, IoU exactly 0.5.
        var anchors = new[] { new Anchor(1.5f, 0.5f, 3, 1, [0.9f]), new Anchor(2.5f, 0.5f, 3, 1, [0.8f]) };
        Assert.Equal(2, Run(1, new NmsOptions(IouThreshold: 0.5f), anchors).Count);
        Assert.Single(Run(1, new NmsOptions(IouThreshold: 0.49f), anchors));
    }

    [Fact]
    public void MultiLabelEmitsEveryClassAboveConfidence()
    {
        var anchor = new Anchor(50, 50, 20, 20, [0.6f, 0.9f, 0.1f]);
        var multi = Run(3, new NmsOptions(MultiLabel: true), anchor);
        Assert.Equal(2, multi.Count);
        Assert.Equal((0.9f, 1), (multi[0].Score, multi[0].ClassId));
        Assert.Equal((0.6f, 0), (multi[1].Score, multi[1].ClassId));
        Assert.Equal(multi[0].Box, multi[1].Box);

        var single = Run(3, new NmsOptions(), anchor);
        Assert.Single(single);
        Assert.Equal((0.9f, 1), (single[0].Score, single[0].ClassId));
    }

    [Fact]
    public void TiedClassScoresPickTheFirstClass()
    {
        // 16 far-apart anchors so the vectorised scan (not only the scalar tail) sees the tie; torch max keeps the first index.
        var anchors = Enumerable.Range(0, 16).Select(i => new Anchor(i * 100, 10, 5, 5, [0.1f, 0.6f, 0.6f])).ToArray();
        var dets = Run(3, new NmsOptions(), anchors);
        Assert.Equal(16, dets.Count);
        Assert.All(dets, d => Assert.Equal(1, d.ClassId));
    }

    [Fact]
    public void ConfidenceFilterIsStrict()
    {
        var dets = Run(1, new NmsOptions(ConfThreshold: 0.25f),
            new Anchor(10, 10, 5, 5, [0.25f]),
            new Anchor(100, 100, 5, 5, [0.26f]),
            new Anchor(200, 200, 5, 5, [0.1f]));
        Assert.Single(dets);
        Assert.Equal(0.26f, dets[0].Score);
    }

    [Fact]
    public void KeepsOnlyTheHighestScoringMaxDetections()
    {
        var dets = Run(1, new NmsOptions(MaxDetections: 3),
            new Anchor(10, 10, 5, 5, [0.5f]),
            new Anchor(100, 10, 5, 5, [0.9f]),
            new Anchor(200, 10, 5, 5, [0.6f]),
            new Anchor(300, 10, 5, 5, [0.8f]),
            new Anchor(400, 10, 5, 5, [0.7f]));
        Assert.Equal(new[] { 0.9f, 0.8f, 0.7f }, dets.Select(d => d.Score).ToArray());
        Assert.Equal(100f, dets[0].Box.CenterX);
        Assert.Equal(300f, dets[1].Box.CenterX);
        Assert.Equal(400f, dets[2].Box.CenterX);
    }

    [Fact]
    public void ResultIsSortedByScoreDescendingAcrossClasses()
    {
        var dets = Run(2, new NmsOptions(),
            new Anchor(10, 10, 5, 5, [0.3f, 0f]),
            new Anchor(100, 10, 5, 5, [0f, 0.9f]),
            new Anchor(200, 10, 5, 5, [0.5f, 0f]),
            new Anchor(300, 10, 5, 5, [0f, 0.7f]));
        Assert.Equal(new[] { 0.9f, 0.7f, 0.5f, 0.3f }, dets.Select(d => d.Score).ToArray());
        Assert.Equal(new[] { 1, 1, 0, 0 }, dets.Select(d => d.ClassId).ToArray());
    }

    [Fact]
    public void MaxCandidatesCutsBeforeSuppression()
    {
        // Only the two best candidates enter NMS; the second is suppressed by the first, the distant third never competes.
        var dets = Run(1, new NmsOptions(MaxCandidates: 2),
            new Anchor(50, 50, 20, 20, [0.9f]),
            new Anchor(52, 50, 20, 20, [0.8f]),
            new Anchor(200, 200, 20, 20, [0.7f]));
        Assert.Single(dets);
        Assert.Equal(0.9f, dets[0].Score);
    }

    [Fact]
    public void EqualScoresKeepAnchorOrder()
    {
        var dets = Run(1, new NmsOptions(),
            new Anchor(10, 10, 5, 5, [0.5f]),
            new Anchor(100, 10, 5, 5, [0.5f]),
            new Anchor(200, 10, 5, 5, [0.5f]));
        Assert.Equal(new[] { 10f, 100f, 200f }, dets.Select(d => d.Box.CenterX).ToArray());
    }

    [Fact]
    public void RejectsBufferOfWrongSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => NonMaxSuppression.Run(new float[10], 2, 2, new NmsOptions()));
        Assert.Contains("(4 + 2 classes) x 2 anchors = 12", ex.Message);
    }
}
