using Forge.Models.Geometry;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Loss;

/// <summary>What the assigner decided for every anchor of every image.</summary>
public sealed record AssignedTargets(Tensor Labels, Tensor Boxes, Tensor Scores, Tensor ForegroundMask, Tensor GtIndex) : IDisposable
{
    public void Dispose()
    {
        Labels.Dispose(); Boxes.Dispose(); Scores.Dispose(); ForegroundMask.Dispose(); GtIndex.Dispose();
    }
}

/// <summary>
/// Task-aligned assignment (TOOD, Feng et al. 2021) as used by YOLOv8: for each ground-truth box, among anchors whose
/// centre lies inside it, pick the top-k by the alignment metric score^alpha * IoU^beta; an anchor claimed by several boxes
/// keeps the one it overlaps most. Target class scores are the one-hot class scaled by the normalised alignment metric,
/// so the classifier learns to predict localisation quality.
/// </summary>
public sealed class TaskAlignedAssigner(int numClasses, int topK = 10, double alpha = 0.5, double beta = 6.0, double eps = 1e-9)
{
    public int NumClasses { get; } = numClasses;
    public int TopK { get; } = topK;
    public double Alpha { get; } = alpha;
    public double Beta { get; } = beta;

    /// <param name="predScores">(b, A, nc) predicted class probabilities (after sigmoid, detached).</param>
    /// <param name="predBoxes">(b, A, 4) predicted corner boxes in pixels (detached).</param>
    /// <param name="anchorPoints">(A, 2) anchor centres in pixels.</param>
    /// <param name="gtLabels">(b, n, 1) ground-truth class ids.</param>
    /// <param name="gtBoxes">(b, n, 4) ground-truth corner boxes in pixels.</param>
    /// <param name="gtMask">(b, n, 1) 1 for real boxes, 0 for padding.</param>
    public AssignedTargets Assign(Tensor predScores, Tensor predBoxes, Tensor anchorPoints, Tensor gtLabels, Tensor gtBoxes, Tensor gtMask)
    {
        using var _ = no_grad();
        long b = predScores.shape[0], a = predScores.shape[1], n = gtBoxes.shape[1];
        var dev = predScores.device;
        if (n == 0)
        {
            return new AssignedTargets(
                HeldScalars.Full([b, a], NumClasses, ScalarType.Int64, dev),
                zeros(b, a, 4, device: dev),
                zeros(b, a, NumClasses, device: dev),
                zeros(b, a, dtype: ScalarType.Bool, device: dev),
                zeros(b, a, dtype: ScalarType.Int64, device: dev));
        }

        using var scope = NewDisposeScope();
        var inGts = CentresInBoxes(anchorPoints, gtBoxes);                          // (b, n, A)
        var validMask = inGts * gtMask;                                              // (b, n, A)
        var (alignMetric, overlaps) = BoxMetrics(predScores, predBoxes, gtLabels, gtBoxes, validMask);
        var topMask = TopKCandidates(alignMetric, gtMask);                           // (b, n, A)
        var maskPos = topMask * inGts * gtMask;

        var (gtIndex, fgMask, resolvedPos) = ResolveMultipleBoxes(maskPos, overlaps, n);

        // Gather each anchor's target box and class from its assigned ground truth.
        // Scalars are explicit and held (HeldScalars): a + b, t * n, t > 0, clamp_(min: 0) would each make an implicit one.
        var flatIndex = gtIndex.Plus(HeldScalars.Arange(b, ScalarType.Int64, dev).unsqueeze(1).Times(n));   // (b, A)
        var targetLabels = gtLabels.to(ScalarType.Int64).flatten().index_select(0, flatIndex.flatten()).view(b, a);
        var targetBoxes = gtBoxes.view(-1, 4).index_select(0, flatIndex.flatten()).view(b, a, 4);
        targetLabels.clamp_(HeldScalars.Zero);
        var oneHot = nn.functional.one_hot(targetLabels, NumClasses).to(ScalarType.Float32);
        var fg = fgMask.unsqueeze(-1).gt(HeldScalars.Zero);
        var targetScores = where(fg, oneHot, zeros_like(oneHot));

        // Scale class targets by the alignment metric normalised so each box's best anchor reaches its best IoU.
        alignMetric = alignMetric * resolvedPos;
        var posAlign = alignMetric.amax([-1], keepdim: true);                      // (b, n, 1)
        var posOverlaps = (overlaps * resolvedPos).amax([-1], keepdim: true);       // (b, n, 1)
        var norm = (alignMetric * posOverlaps / posAlign.Plus(eps)).amax([-2]).unsqueeze(-1);   // (b, A, 1)
        targetScores = targetScores * norm;

        return new AssignedTargets(
            targetLabels.MoveToOuterDisposeScope(),
            targetBoxes.MoveToOuterDisposeScope(),
            targetScores.MoveToOuterDisposeScope(),
            fgMask.gt(HeldScalars.Zero).MoveToOuterDisposeScope(),
            gtIndex.MoveToOuterDisposeScope());
    }

    /// <summary>(b, n, A) 1 where the anchor centre lies strictly inside the box.</summary>
    public Tensor CentresInBoxes(Tensor anchorPoints, Tensor gtBoxes)
    {
        using var scope = NewDisposeScope();
        long b = gtBoxes.shape[0], n = gtBoxes.shape[1], a = anchorPoints.shape[0];
        var corners = gtBoxes.view(-1, 1, 4).chunk(2, 2);                            // lt, rb: (b*n, 1, 2)
        var deltas = cat([anchorPoints.unsqueeze(0) - corners[0], corners[1] - anchorPoints.unsqueeze(0)], 2);   // (b*n, A, 4)
        using var epsS = HeldScalars.Of(eps);
        return deltas.amin([2]).gt(epsS).view(b, n, a).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    (Tensor AlignMetric, Tensor Overlaps) BoxMetrics(Tensor predScores, Tensor predBoxes, Tensor gtLabels, Tensor gtBoxes, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long n = gtBoxes.shape[1], a = predScores.shape[1];
        // Score of each box's own class at every anchor: (b, n, A).
        var classIndex = gtLabels.to(ScalarType.Int64).expand(-1, -1, a);
        var boxScores = predScores.permute(0, 2, 1).gather(1, classIndex) * mask;
        var overlaps = BoxTensorOps.CompleteIoU(gtBoxes.unsqueeze(2), predBoxes.unsqueeze(1)).squeeze(-1).clamp_(HeldScalars.Zero) * mask;
        var metric = boxScores.Power(Alpha) * overlaps.Power(Beta);
        return (metric.MoveToOuterDisposeScope(), overlaps.MoveToOuterDisposeScope());
    }

    /// <summary>(b, n, A) 1 for each real box's top-k anchors by metric; padding boxes select nothing.</summary>
    Tensor TopKCandidates(Tensor metric, Tensor gtMask)
    {
        using var scope = NewDisposeScope();
        int k = (int)Math.Min(TopK, metric.shape[2]);
        var (_, idx) = metric.topk(k, dim: -1, largest: true);                     // (b, n, k)
        idx = idx.masked_fill(gtMask.expand(-1, -1, k).eq(HeldScalars.Zero), HeldScalars.Zero);
        var count = zeros_like(metric, dtype: ScalarType.Int32);
        count.scatter_add_(-1, idx, ones_like(idx, dtype: ScalarType.Int32));
        // Padding rows scattered k times into anchor 0: a count above 1 can only come from them.
        count.masked_fill_(count.gt(HeldScalars.One), HeldScalars.Zero);
        return count.to(metric.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Anchors claimed by several boxes keep only the box they overlap most. Returns (gt index per anchor, fg count, mask).</summary>
    static (Tensor GtIndex, Tensor Fg, Tensor MaskPos) ResolveMultipleBoxes(Tensor maskPos, Tensor overlaps, long n)
    {
        using var scope = NewDisposeScope();
        var fg = maskPos.sum([-2]);                                                  // (b, A)
        if (fg.max().AsDouble() > 1)
        {
            var multi = fg.unsqueeze(1).gt(HeldScalars.One).expand(-1, n, -1);
            var best = overlaps.argmax(1);                                          // (b, A)
            var isBest = nn.functional.one_hot(best, n).permute(0, 2, 1).to(overlaps.dtype);
            maskPos = where(multi, isBest, maskPos);
            fg = maskPos.sum([-2]);
        }
        var gtIndex = maskPos.argmax(-2);                                            // (b, A)
        return (gtIndex.MoveToOuterDisposeScope(), fg.MoveToOuterDisposeScope(), maskPos.MoveToOuterDisposeScope());
    }
}
