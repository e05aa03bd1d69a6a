namespace Forge.Core.Tests.Metrics;

// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Core.Metrics;

public class DetectionEvaluatorTests
{
    // pycocotools precision is tp / (tp + fp + eps), so "1" is 1 / (1 + 2.2e-16); 1e-12 covers that and summation order.
    private const double Tol = 1e-12;

    private static BoxF Box(float x1, float y1, float x2, float y2) => new(x1, y1, x2, y2);
    private static Detection Det(BoxF box, float score, int cls = 0) => new(box, score, cls);
    private static LabeledBox Gt(BoxF box, int cls = 0) => new(box, cls);

    private static readonly BoxF GtA = Box(0, 0, 10, 10);
    private static readonly BoxF GtB = Box(100, 0, 110, 10);
    private static readonly BoxF Nowhere = Box(500, 500, 510, 510);

    [Fact]
    public void TpFpTpGivesHandComputedAp()
    {
        // Sorted: TP .9, FP .8, TP .7 with 2 GTs -> recall .5 .5 1, precision 1 .5 2/3, monotone from right 1 2/3 2/3.
        // Recall thresholds 0.00..0.50 (51 values) hit index 0 -> 1; 0.51..1.00 (50 values) hit index 2 -> 2/3.
        // AP = (51 * 1 + 50 * 2/3) / 101 at every IoU threshold, because the TP boxes overlap exactly.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(GtA, 0.9f), Det(Nowhere, 0.8f), Det(GtB, 0.7f)], [Gt(GtA), Gt(GtB)]);
        var m = ev.Compute();

        double expected = (51 * 1.0 + 50 * (2.0 / 3.0)) / 101;
        Assert.Equal(expected, m.Map50, Tol);
        Assert.Equal(expected, m.Map75, Tol);
        Assert.Equal(expected, m.Map50To95, Tol);
        for (int t = 0; t < 10; t++) Assert.Equal(expected, m.ApPerClassPerIou[0, t], Tol);
        Assert.Equal(expected, m.Fitness, Tol);
        Assert.Equal(1.0, m.PrecisionAtRecall[0, 50], Tol);
        Assert.Equal(2.0 / 3.0, m.PrecisionAtRecall[0, 51], Tol);
        Assert.Equal(2.0 / 3.0, m.PrecisionAtRecall[0, 100], Tol);
        Assert.Equal(0.51, m.RecallGrid[51], 15);
    }

    [Fact]
    public void PerfectDetectionsGiveApOne()
    {
        // Every detection matches its GT exactly: precision 1 at all recalls, AP = 101 * 1 / 101.
        var ev = new DetectionEvaluator(2);
        ev.AddImage([Det(GtA, 0.9f, 0), Det(GtB, 0.6f, 1)], [Gt(GtA, 0), Gt(GtB, 1)]);
        ev.AddImage([Det(GtB, 0.3f, 0)], [Gt(GtB, 0)]);
        var m = ev.Compute();
        Assert.Equal(1.0, m.Map50, Tol);
        Assert.Equal(1.0, m.Map50To95, Tol);
        Assert.Equal(new[] { 1.0, 1.0 }, m.Ap50To95PerClass, new ToleranceComparer(Tol));
    }

    [Fact]
    public void NoDetectionsGiveApZero()
    {
        // No detection: the searchsorted index is past the end for every threshold, so all 101 precisions are 0.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([], [Gt(GtA), Gt(GtB)]);
        var m = ev.Compute();
        Assert.Equal(0.0, m.Map50);
        Assert.Equal(0.0, m.Map50To95);
        Assert.Equal(0.0, m.Ap50PerClass[0]);
        Assert.Equal(0.0, m.Precision);
        Assert.Equal(0.0, m.Recall);
    }

    [Fact]
    public void ClassWithoutGroundTruthIsExcludedFromMeans()
    {
        // class 0: perfect (AP 1); class 1: only a false positive and no GT -> AP -1, skipped; class 2: GT missed -> AP 0.
        // mAP50 = (1 + 0) / 2.
        var ev = new DetectionEvaluator(3);
        ev.AddImage([Det(GtA, 0.9f, 0), Det(Nowhere, 0.8f, 1)], [Gt(GtA, 0), Gt(GtB, 2)]);
        var m = ev.Compute();
        Assert.Equal(1.0, m.Ap50PerClass[0], Tol);
        Assert.Equal(-1.0, m.Ap50PerClass[1]);
        Assert.Equal(-1.0, m.Ap50To95PerClass[1]);
        Assert.Equal(-1.0, m.ApPerClassPerIou[1, 3]);
        Assert.Equal(-1.0, m.PrecisionAtRecall[1, 0]);
        Assert.Equal(0.0, m.Ap50PerClass[2]);
        Assert.Equal(0.5, m.Map50, Tol);
        Assert.Equal(2, m.ClassesWithGroundTruth);
    }

    [Fact]
    public void IouBetweenThresholdsCountsOnlyForLowerThresholds()
    {
        // GT 16x16 (area 256), detection 16x9 inside it: IoU 144/256 = 0.5625, which passes 0.50 and 0.55 only.
        // AP per threshold: 1, 1, then 0 x 8 -> AP50-95 = 2/10 of AP50, AP75 = 0.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(Box(0, 0, 16, 9), 0.8f)], [Gt(Box(0, 0, 16, 16))]);
        var m = ev.Compute();
        Assert.Equal(1.0, m.Map50, Tol);
        Assert.Equal(1.0, m.ApPerClassPerIou[0, 1], Tol);
        Assert.Equal(0.0, m.ApPerClassPerIou[0, 2]);
        Assert.Equal(0.0, m.Map75);
        Assert.Equal(0.2, m.Map50To95, Tol);
        Assert.Equal(0.1 * 1.0 + 0.9 * 0.2, m.Fitness, Tol);
    }

    [Fact]
    public void IouExactlyAtThresholdMatches()
    {
        // GT 2x1, detection 1x1 inside: IoU exactly 0.5 >= 0.5 matches; 0.5 < 0.55 does not.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(Box(0, 0, 1, 1), 0.8f)], [Gt(Box(0, 0, 2, 1))]);
        var m = ev.Compute();
        Assert.Equal(1.0, m.ApPerClassPerIou[0, 0], Tol);
        Assert.Equal(0.0, m.ApPerClassPerIou[0, 1]);
        Assert.Equal(0.1, m.Map50To95, Tol);
    }

    [Fact]
    public void MaxDetectionsPerImageCutsLowestScores()
    {
        // One GT; detections FP .9, FP .8, TP .7.
        // maxDets 3: recall 0 0 1, precision 0 0 1/3 -> monotone 1/3 everywhere -> AP = 1/3.
        // maxDets 2: the TP is cut -> AP 0.
        Detection[] dets = [Det(Nowhere, 0.9f), Det(Box(300, 0, 310, 10), 0.8f), Det(GtA, 0.7f)];
        LabeledBox[] gts = [Gt(GtA)];

        var keepAll = new DetectionEvaluator(1, maxDetectionsPerImage: 3);
        keepAll.AddImage(dets, gts);
        Assert.Equal(1.0 / 3.0, keepAll.Compute().Map50, Tol);

        var cut = new DetectionEvaluator(1, maxDetectionsPerImage: 2);
        cut.AddImage(dets, gts);
        Assert.Equal(0.0, cut.Compute().Map50);
    }

    [Fact]
    public void MaxDetectionsIsPerClassWithinAnImage()
    {
        // pycocotools evaluates each (image, category) separately, so maxDets 1 keeps one detection of each class.
        var ev = new DetectionEvaluator(2, maxDetectionsPerImage: 1);
        ev.AddImage([Det(GtA, 0.9f, 0), Det(GtB, 0.8f, 1)], [Gt(GtA, 0), Gt(GtB, 1)]);
        Assert.Equal(1.0, ev.Compute().Map50, Tol);
    }

    [Fact]
    public void EqualScoresKeepInputAndImageOrder()
    {
        // Stable sort: FP first -> recall 0 1, precision 0 .5 -> monotone .5 .5 -> AP .5.
        //              TP first -> recall 1 1, precision 1 .5 -> monotone 1 .5 -> every threshold hits index 0 -> AP 1.
        var fpFirst = new DetectionEvaluator(1);
        fpFirst.AddImage([Det(Nowhere, 0.8f), Det(GtA, 0.8f)], [Gt(GtA)]);
        Assert.Equal(0.5, fpFirst.Compute().Map50, Tol);

        var tpFirst = new DetectionEvaluator(1);
        tpFirst.AddImage([Det(GtA, 0.8f), Det(Nowhere, 0.8f)], [Gt(GtA)]);
        Assert.Equal(1.0, tpFirst.Compute().Map50, Tol);

        // Across images the concatenation is in image order, so the earlier image's tied detection comes first.
        var fpImageFirst = new DetectionEvaluator(1);
        fpImageFirst.AddImage([Det(Nowhere, 0.8f)], []);
        fpImageFirst.AddImage([Det(GtA, 0.8f)], [Gt(GtA)]);
        Assert.Equal(0.5, fpImageFirst.Compute().Map50, Tol);

        var tpImageFirst = new DetectionEvaluator(1);
        tpImageFirst.AddImage([Det(GtA, 0.8f)], [Gt(GtA)]);
        tpImageFirst.AddImage([Det(Nowhere, 0.8f)], []);
        Assert.Equal(1.0, tpImageFirst.Compute().Map50, Tol);
    }

    [Fact]
    public void EqualIouGoesToTheLaterGroundTruth()
    {
        // GT1 [0,0,10,10], GT2 [2,0,12,10]. det1 [1,0,11,10] has IoU 90/110 with both; det2 [-2,0,8,10] has IoU 80/120 with GT1
        // and 60/140 with GT2. pycocotools gives det1 the later GT2, so det2 still finds GT1: 2 TP at IoU 0.5 -> AP50 = 1.
        // (Had det1 taken GT1, det2 would be a FP: AP50 = 51/101.)
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(Box(1, 0, 11, 10), 0.9f), Det(Box(-2, 0, 8, 10), 0.8f)], [Gt(Box(0, 0, 10, 10)), Gt(Box(2, 0, 12, 10))]);
        Assert.Equal(1.0, ev.Compute().Map50, Tol);
    }

    [Fact]
    public void GreedyMatchingTakesHighestIouFreeGroundTruth()
    {
        // One GT, two detections on it: the higher score takes it, the second is a FP -> recall 1 1, precision 1 .5 -> AP 1.
        // Recall per class reports 1 and the false positive lowers precision on the confidence curve below its score.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(GtA, 0.9f), Det(Box(0, 0, 10, 9), 0.85f)], [Gt(GtA)]);
        var m = ev.Compute();
        Assert.Equal(1.0, m.Map50, Tol);
        Assert.Equal(0.5, m.PrecisionVsConf[0, 0], Tol); // x = 0 is below both scores: precision 1/2
    }

    [Fact]
    public void CountsImagesAndInstances()
    {
        var ev = new DetectionEvaluator(3);
        ev.AddImage([], [Gt(GtA, 0), Gt(GtB, 0), Gt(Nowhere, 2)]);
        ev.AddImage([Det(GtA, 0.5f, 1)], [Gt(GtA, 0)]);
        ev.AddImage([], []);
        var m = ev.Compute();
        Assert.Equal(3, m.ImageCount);
        Assert.Equal(4, m.InstanceCount);
        Assert.Equal(new[] { 3, 0, 1 }, m.InstancesPerClass);
        Assert.Equal(new[] { 2, 0, 1 }, m.ImagesPerClass);
    }

    [Fact]
    public void PrecisionRecallAtBestF1Confidence()
    {
        // Class 0 (1 GT): TP .75, FP .25 (exact binary floats). np.interp on the confidence grid x = i/999 gives
        //   x > .75: recall 0, precision 1 (left values) -> F1 0
        //   .25 < x < .75: recall 1, precision linear from 1 to .5, i.e. p(x) = x + .25 -> F1 = 2p / (p + 1), rising with x
        //   x <= .25: recall 1, precision .5.
        // Class 1 (1 GT) has no detections: curves 0. Class 2 has no GT: excluded.
        // The mean F1 rises up to the last grid point <= .75 (i = 749) and drops to 0 right after, so the 101-point box
        // filter peaks when its right edge sits on 749: i = 699, x = 699/999.
        var ev = new DetectionEvaluator(3);
        ev.AddImage([Det(GtA, 0.75f, 0), Det(Nowhere, 0.25f, 0), Det(GtB, 0.5f, 2)], [Gt(GtA, 0), Gt(GtB, 1)]);
        var m = ev.Compute();

        double x = 699.0 / 999.0;
        double p = x + 0.25;
        Assert.Equal(x, m.BestF1Confidence, 15);
        Assert.Equal(p, m.PrecisionPerClass[0], 1e-9);
        Assert.Equal(1.0, m.RecallPerClass[0], 1e-9);
        Assert.Equal(2 * p / (p + 1), m.F1PerClass[0], 1e-9);
        Assert.Equal(0.0, m.PrecisionPerClass[1]);
        Assert.Equal(0.0, m.RecallPerClass[1]);
        Assert.Equal(p / 2, m.Precision, 1e-9);
        Assert.Equal(0.5, m.Recall, 1e-9);

        // Curve samples: i = 900 (x .9009) is left of every score; i = 100 (x .1001) is right of every score.
        Assert.Equal(1.0, m.PrecisionVsConf[0, 900]);
        Assert.Equal(0.0, m.RecallVsConf[0, 900]);
        Assert.Equal(0.5, m.PrecisionVsConf[0, 100], 1e-12);
        Assert.Equal(1.0, m.RecallVsConf[0, 100], 1e-12);
        Assert.Equal(500.0 / 999.0 + 0.25, m.PrecisionVsConf[0, 500], 1e-12);
        Assert.Equal(1000, m.ConfidenceGrid.Length);
        Assert.Equal(1.0, m.ConfidenceGrid[999]);
    }

    [Fact]
    public void PerfectDetectorPeaksAtLowestConfidence()
    {
        // Class 0, 2 GTs, TP .9, FP .8, TP .7: for x <= .7 recall 1 and precision 2/3 -> F1 0.8, the curve's maximum,
        // reached on a plateau that starts at x = 0, so the first maximum of the smoothed curve is index 0.
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(GtA, 0.9f), Det(Nowhere, 0.8f), Det(GtB, 0.7f)], [Gt(GtA), Gt(GtB)]);
        var m = ev.Compute();
        Assert.Equal(0.0, m.BestF1Confidence);
        Assert.Equal(2.0 / 3.0, m.Precision, 1e-12);
        Assert.Equal(1.0, m.Recall, 1e-12);
        Assert.Equal(0.8, m.F1PerClass[0], 1e-12);
    }

    [Fact]
    public void ComputeDoesNotChangeTheEvaluator()
    {
        var ev = new DetectionEvaluator(1);
        ev.AddImage([Det(GtA, 0.9f), Det(Nowhere, 0.8f)], [Gt(GtA), Gt(GtB)]);
        double first = ev.Compute().Map50To95;
        Assert.Equal(first, ev.Compute().Map50To95);
        ev.AddImage([Det(GtB, 0.95f)], [Gt(GtB)]);
        Assert.NotEqual(first, ev.Compute().Map50To95);
    }

    [Fact]
    public void RejectsOutOfRangeClassIds()
    {
        var ev = new DetectionEvaluator(2);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ev.AddImage([Det(GtA, 0.5f, 2)], []));
        Assert.Contains("class id 2", ex.Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }
}
