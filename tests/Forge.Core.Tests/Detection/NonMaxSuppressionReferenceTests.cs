namespace Forge.Core.Tests.Detection;

// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;

/// <summary>Checks the optimised NMS (vectorised best-class scan, quickselect cut, early stop) against a plain O(n^2) version.</summary>
public class NonMaxSuppressionReferenceTests
{
    public static TheoryData<int, NmsOptions> Cases => new()
    {
        { 1, new NmsOptions(ConfThreshold: 0.3f) },
        { 2, new NmsOptions(ConfThreshold: 0.3f, IouThreshold: 0.5f, MaxCandidates: 150) },
        { 3, new NmsOptions(ConfThreshold: 0.2f, MultiLabel: true, MaxCandidates: 400, MaxDetections: 100) },
        { 4, new NmsOptions(ConfThreshold: 0.3f, ClassAgnostic: true, IouThreshold: 0.45f) },
        { 5, new NmsOptions(ConfThreshold: 0.05f, MultiLabel: true, MaxDetections: 40) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNaiveGreedyNms(int seed, NmsOptions options)
    {
        // 503 anchors: not a multiple of any SIMD width, so the scalar tail runs too. Boxes crowd a 200 px field to overlap often.
        const int na = 503, nc = 7;
        var rng = new Random(seed);
        var p = new float[(4 + nc) * na];
        for (int a = 0; a < na; a++)
        {
            p[a] = rng.NextSingle() * 200;
            p[na + a] = rng.NextSingle() * 200;
            p[2 * na + a] = 10 + rng.NextSingle() * 60;
            p[3 * na + a] = 10 + rng.NextSingle() * 60;
            for (int c = 0; c < nc; c++) p[(4 + c) * na + a] = rng.NextSingle();
        }

        var actual = NonMaxSuppression.Run(p, na, nc, options);
        var expected = Naive(p, na, nc, options);
        Assert.True(expected.Count > 10, "test data should keep a fair number of boxes");
        Assert.Equal(expected, actual);
    }

    private static List<Detection> Naive(float[] p, int na, int nc, NmsOptions o)
    {
        var candidates = new List<(float Score, int Order, Detection Det)>();
        for (int a = 0; a < na; a++)
        {
            var box = BoxF.FromCenter(p[a], p[na + a], p[2 * na + a], p[3 * na + a]);
            int best = 0;
            for (int c = 0; c < nc; c++)
            {
                float s = p[(4 + c) * na + a];
                if (s > p[(4 + best) * na + a]) best = c;
                if (o.MultiLabel && s > o.ConfThreshold) candidates.Add((s, a * nc + c, new Detection(box, s, c)));
            }
            float bs = p[(4 + best) * na + a];
            if (!o.MultiLabel && bs > o.ConfThreshold) candidates.Add((bs, a * nc + best, new Detection(box, bs, best)));
        }
        candidates.Sort((x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : x.Order.CompareTo(y.Order));
        if (candidates.Count > o.MaxCandidates) candidates.RemoveRange(o.MaxCandidates, candidates.Count - o.MaxCandidates);

        var kept = new List<Detection>();
        foreach (var (_, _, det) in candidates)
        {
            bool suppressed = false;
            foreach (var k in kept)
            {
                if ((o.ClassAgnostic || k.ClassId == det.ClassId) && BoxF.IoU(det.Box, k.Box) > o.IouThreshold) { suppressed = true; break; }
            }
            if (!suppressed) kept.Add(det);
        }
        return kept.Count > o.MaxDetections ? kept.GetRange(0, o.MaxDetections) : kept;
    }
}
