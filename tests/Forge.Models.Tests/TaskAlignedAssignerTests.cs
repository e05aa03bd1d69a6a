using Forge.Models.Geometry;
using Forge.Torch;
using Forge.Models.Loss;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class TaskAlignedAssignerTests
{
    // A 4x4 grid at stride 8: anchor centres x, y in {4, 12, 20, 28}; anchor index = row * 4 + col.
    static Tensor Anchors()
    {
        var pts = new float[32];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) { pts[(r * 4 + c) * 2] = 4 + 8 * c; pts[(r * 4 + c) * 2 + 1] = 4 + 8 * r; }
        return tensor(pts).view(16, 2);
    }

    /// <summary>Every anchor predicts a far-away box except the ones given.</summary>
    static Tensor PredBoxes(int batch, params (int Anchor, float[] Box)[] boxes)
    {
        var data = new float[batch * 16 * 4];
        for (int i = 0; i < batch * 16; i++) { data[i * 4] = 100; data[i * 4 + 1] = 100; data[i * 4 + 2] = 101; data[i * 4 + 3] = 101; }
        foreach (var (a, b) in boxes) Array.Copy(b, 0, data, a * 4, 4);
        return tensor(data).view(batch, 16, 4);
    }

    [Fact]
    public void PicksTopKAnchorsInsideTheBoxByAlignmentAndScalesScoresByIoU()
    {
        // GT [0,0,16,16] class 1 contains anchors 0, 1, 4, 5. Predictions: anchor 0 exact (CIoU 1), anchor 5 [4,4,16,16]
        // (CIoU 0.546875), anchor 1 [0,0,16,8] (CIoU 0.465502), anchor 4 [0,0,8,8] (CIoU 0.1875). All class-1 scores 0.5,
        // so the metric is sqrt(0.5) * CIoU^6 and top-2 = anchors 0 and 5.
        // Normalised target score = metric * maxIoU / maxMetric: anchor 0 -> 1, anchor 5 -> 0.546875^6 = 0.026750.
        var assigner = new TaskAlignedAssigner(numClasses: 2, topK: 2);
        using var half = HeldScalars.Of(0.5);
        using var scores = full(1, 16, 2, half);
        using var pred = PredBoxes(1, (0, [0, 0, 16, 16]), (5, [4, 4, 16, 16]), (1, [0, 0, 16, 8]), (4, [0, 0, 8, 8]));
        using var anchors = Anchors();
        using var labels = tensor(new float[] { 1 }).view(1, 1, 1);
        using var gt = tensor(new float[] { 0, 0, 16, 16 }).view(1, 1, 4);
        using var mask = ones(1, 1, 1);

        using var r = assigner.Assign(scores, pred, anchors, labels, gt, mask);

        var fg = r.ForegroundMask.data<bool>().ToArray();
        Assert.Equal(new[] { 0, 5 }, Enumerable.Range(0, 16).Where(i => fg[i]).ToArray());
        Assert.Equal(1, r.Labels[0, 0].item<long>());
        Assert.Equal(new float[] { 0, 0, 16, 16 }, r.Boxes[0, 5].data<float>().ToArray());
        Assert.Equal(1.0, r.Scores[0, 0, 1].item<float>(), 4);
        Assert.Equal(0.026750, r.Scores[0, 5, 1].item<float>(), 5);
        Assert.Equal(0.0, r.Scores[0, 5, 0].item<float>());
        Assert.Equal(0.0, r.Scores[0, 1].sum().item<float>());   // inside the box but not in the top-k
    }

    [Fact]
    public void AnchorClaimedByTwoBoxesGoesToTheOneItOverlapsMost()
    {
        // Two GTs both containing anchor 5 (12,12): A = [8,8,16,16] and B = [0,0,24,24]. Anchor 5 predicts [8,8,16,16],
        // an exact match for A. With topK = 16 both boxes select it; it must be assigned to A (index 0) with A's class.
        var assigner = new TaskAlignedAssigner(numClasses: 3, topK: 16);
        using var half = HeldScalars.Of(0.5);
        using var scores = full(1, 16, 3, half);
        using var pred = PredBoxes(1, (5, [8, 8, 16, 16]));
        using var anchors = Anchors();
        using var labels = tensor(new float[] { 2, 0 }).view(1, 2, 1);
        using var gt = tensor(new float[] { 8, 8, 16, 16, 0, 0, 24, 24 }).view(1, 2, 4);
        using var mask = ones(1, 2, 1);

        using var r = assigner.Assign(scores, pred, anchors, labels, gt, mask);

        Assert.True(r.ForegroundMask[0, 5].item<bool>());
        Assert.Equal(0, r.GtIndex[0, 5].item<long>());
        Assert.Equal(2, r.Labels[0, 5].item<long>());
        Assert.Equal(new float[] { 8, 8, 16, 16 }, r.Boxes[0, 5].data<float>().ToArray());
    }

    [Fact]
    public void PaddingBoxesAndEmptyImagesAssignNothing()
    {
        // Image 0 has one box, image 1 none (padding row with mask 0 and a zero box). The four anchors inside the box all
        // predict overlapping boxes, so all four have a positive metric and fit in the top-10.
        var assigner = new TaskAlignedAssigner(numClasses: 2, topK: 10);
        using var half = HeldScalars.Of(0.5);
        using var scores = full(2, 16, 2, half);
        using var pred = PredBoxes(2, (0, [0, 0, 16, 16]), (1, [0, 0, 16, 8]), (4, [0, 0, 8, 8]), (5, [4, 4, 16, 16]));
        using var anchors = Anchors();
        using var labels = zeros(2, 1, 1);
        using var gt = tensor(new float[] { 0, 0, 16, 16, 0, 0, 0, 0 }).view(2, 1, 4);
        using var mask = tensor(new float[] { 1, 0 }).view(2, 1, 1);

        using var r = assigner.Assign(scores, pred, anchors, labels, gt, mask);

        Assert.Equal(4, r.ForegroundMask[0].sum().item<long>());   // anchors 0, 1, 4, 5
        Assert.Equal(0, r.ForegroundMask[1].sum().item<long>());
        Assert.Equal(0.0, r.Scores[1].sum().item<float>());
    }

    [Fact]
    public void NoGroundTruthAtAllGivesBackground()
    {
        var assigner = new TaskAlignedAssigner(numClasses: 2);
        using var half = HeldScalars.Of(0.5);
        using var scores = full(1, 16, 2, half);
        using var pred = PredBoxes(1);
        using var anchors = Anchors();
        using var labels = zeros(1, 0, 1);
        using var gt = zeros(1, 0, 4);
        using var mask = zeros(1, 0, 1);
        using var r = assigner.Assign(scores, pred, anchors, labels, gt, mask);
        Assert.False(r.ForegroundMask.any().item<bool>());
        Assert.Equal(0.0, r.Scores.sum().item<float>());
    }

    [Fact]
    public void AnchorCentreMustBeStrictlyInside()
    {
        // Box [4,4,20,20]: anchor (4,4) sits on the corner (not inside), (12,12) inside, (20,20) on the edge (not inside).
        var assigner = new TaskAlignedAssigner(numClasses: 1);
        using var anchors = Anchors();
        using var gt = tensor(new float[] { 4, 4, 20, 20 }).view(1, 1, 4);
        using var inside = assigner.CentresInBoxes(anchors, gt);
        var v = inside.data<float>().ToArray();
        Assert.Equal(1f, v[5]);
        Assert.Equal(0f, v[0]);
        Assert.Equal(0f, v[10]);
        Assert.Equal(1f, v.Sum());
    }

    [Fact]
    public void BoxMetricsAtTheMaskedPositionsEqualTheFormulaOverTheWholeGrid()
    {
        // A crowded batch: 3 images x 12 random boxes (some rows padding) over the 84 anchors of a 64 px image at strides 8,
        // 16, 32, random predictions and scores. BoxMetrics computes CIoU and the metric only where an anchor centre is inside
        // a real box and scatters them back; the reference computes both over every (image, box, anchor) and zeroes the rest.
        // The same float32 elementwise operations on the same values: equal to float32 rounding (measured: bitwise equal).
        manual_seed(7);
        long b = 3, n = 12, nc = 4;
        var pts = new List<float>();
        foreach (int s in new[] { 8, 16, 32 })
            for (int y = 0; y < 64 / s; y++) for (int x = 0; x < 64 / s; x++) { pts.Add(x * s + s / 2f); pts.Add(y * s + s / 2f); }
        using var anchors = tensor(pts.ToArray()).view(-1, 2);
        long a = anchors.shape[0];
        using var corner = rand(b, n, 2).Times(50.0);
        using var gt = cat([corner, corner.Plus(rand(b, n, 2).Times(30.0).Plus(2.0))], 2);
        using var predCorner = rand(b, a, 2).Times(50.0);
        using var pred = cat([predCorner, predCorner.Plus(rand(b, a, 2).Times(30.0).Plus(1.0))], 2);
        using var scores = rand(b, a, nc);
        using var labels = randint(0, nc, [b, n, 1]).to(ScalarType.Float32);
        using var mask = (HeldScalars.Arange(n, ScalarType.Int64).view(1, n, 1) < tensor(new long[] { 12, 7, 0 }).view(b, 1, 1)).to(ScalarType.Float32);
        var assigner = new TaskAlignedAssigner((int)nc);
        using var inside = assigner.CentresInBoxes(anchors, gt) * mask;

        var (metric, overlaps) = assigner.BoxMetrics(scores, pred, labels, gt, inside);
        using var m = metric;
        using var o = overlaps;

        using var fullIoU = BoxTensorOps.CompleteIoU(gt.unsqueeze(2), pred.unsqueeze(1)).squeeze(-1).Clamped(min: 0) * inside;
        using var classScores = scores.permute(0, 2, 1).gather(1, labels.to(ScalarType.Int64).expand(-1, -1, a)) * inside;
        using var fullMetric = classScores.Power(0.5) * fullIoU.Power(6.0);
        Assert.Equal(new long[] { b, n, a }, o.shape);
        Assert.InRange(inside.sum().item<float>(), 40, 10_000);    // the mask is neither empty nor trivial
        Assert.InRange((o - fullIoU).abs().max().AsDouble(), 0, 1e-6);
        Assert.InRange((m - fullMetric).abs().max().AsDouble(), 0, 1e-6);
        Assert.Equal(0.0, o[2].abs().sum().AsDouble());             // the image without boxes has no overlaps at all
    }
}
