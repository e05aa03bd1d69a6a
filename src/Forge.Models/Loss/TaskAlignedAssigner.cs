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
        // (b, n, A) grids are the assigner's memory (16 x 100 boxes x 3549 anchors at 416 px: 23 MB each, and they sit on top
        // of the step's activations), so each is released as soon as its last use is done.
        var validMask = CentresInBoxes(anchorPoints, gtBoxes).mul_(gtMask);         // (b, n, A) centre inside a real box
        var (alignMetric, overlaps) = BoxMetrics(predScores, predBoxes, gtLabels, gtBoxes, validMask);
        var maskPos = TopKCandidates(alignMetric, gtMask).mul_(validMask);           // (b, n, A)
        validMask.Dispose();

        var (gtIndex, fgMask, resolvedPos) = ResolveMultipleBoxes(maskPos, overlaps, n);
        if (!ReferenceEquals(resolvedPos, maskPos)) maskPos.Dispose();   // it is maskPos itself when no anchor had two boxes

        // Gather each anchor's target box and class from its assigned ground truth.
        // Scalars are explicit and held (HeldScalars): a + b, t * n, t > 0, clamp_(min: 0) would each make an implicit one.
        var flatIndex = gtIndex.Plus(HeldScalars.Arange(b, ScalarType.Int64, dev).unsqueeze(1).Times(n));   // (b, A)
        var targetLabels = gtLabels.to(ScalarType.Int64).flatten().index_select(0, flatIndex.flatten()).view(b, a);
        var targetBoxes = gtBoxes.view(-1, 4).index_select(0, flatIndex.flatten()).view(b, a, 4);
        targetLabels.clamp_(HeldScalars.Zero);
        var oneHot = nn.functional.one_hot(targetLabels, NumClasses).to(ScalarType.Float32);
        var fg = fgMask.unsqueeze(-1).gt(HeldScalars.Zero);
        var targetScores = where(fg, oneHot, zeros_like(oneHot));

        // Scale class targets by the alignment metric normalised so each box's best anchor reaches its best IoU
        // (in place: the same products in the same order as alignMetric * resolvedPos * posOverlaps / (posAlign + eps)).
        alignMetric.mul_(resolvedPos);
        var posAlign = alignMetric.amax([-1], keepdim: true);                      // (b, n, 1)
        var posOverlaps = overlaps.mul_(resolvedPos).amax([-1], keepdim: true);    // (b, n, 1)
        overlaps.Dispose();
        resolvedPos.Dispose();
        var norm = alignMetric.mul_(posOverlaps).div_(posAlign.Plus(eps)).amax([-2]).unsqueeze(-1);   // (b, A, 1)
        alignMetric.Dispose();
        targetScores = targetScores * norm;

        return new AssignedTargets(
            targetLabels.MoveToOuterDisposeScope(),
            targetBoxes.MoveToOuterDisposeScope(),
            targetScores.MoveToOuterDisposeScope(),
            fgMask.gt(HeldScalars.Zero).MoveToOuterDisposeScope(),
            gtIndex.MoveToOuterDisposeScope());
    }

    /// <summary>(b, n, A) 1 where the anchor centre lies strictly inside the box (Ultralytics' select_candidates_in_gts:
    /// the smallest of the four distances to the sides above eps), as float32.</summary>
    public Tensor CentresInBoxes(Tensor anchorPoints, Tensor gtBoxes)
    {
        using var scope = NewDisposeScope();
        long b = gtBoxes.shape[0], n = gtBoxes.shape[1], a = anchorPoints.shape[0];
        // One (b*n, A) distance at a time, folded into a running minimum: the (b*n, A, 4) stack of all four is never built.
        var box = gtBoxes.view(-1, 1, 4);
        var ax = anchorPoints.select(1, 0).unsqueeze(0);                               // (1, A)
        var ay = anchorPoints.select(1, 1).unsqueeze(0);
        var nearest = ax - box.select(2, 0);                                            // (b*n, A) left
        nearest = FoldMinimum(nearest, ay - box.select(2, 1));                         // top
        nearest = FoldMinimum(nearest, box.select(2, 2) - ax);                         // right
        nearest = FoldMinimum(nearest, box.select(2, 3) - ay);                         // bottom
        using var epsS = HeldScalars.Of(eps);
        return nearest.gt(epsS).view(b, n, a).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    static Tensor FoldMinimum(Tensor running, Tensor next)
    {
        var folded = minimum(running, next);
        running.Dispose();
        next.Dispose();
        return folded;
    }

    /// <summary>
    /// The alignment metric score^alpha * CIoU^beta and the CIoU (clamped at 0) of every box with every anchor prediction,
    /// (b, n, A) each, 0 where <paramref name="mask"/> is 0. Both are computed only where the mask is set, as Ultralytics'
    /// get_box_metrics does (overlaps[mask_gt] = ...): a box covers few anchors (at 416 px, 16 mosaics of ~100 boxes set
    /// ~40 k of 5.7 M positions), and CIoU over the whole grid took ~30 temporaries of (b, n, A).
    /// </summary>
    /// <param name="mask">(b, n, A) 1 where the anchor's centre is inside a real box, else 0.</param>
    public (Tensor AlignMetric, Tensor Overlaps) BoxMetrics(Tensor predScores, Tensor predBoxes, Tensor gtLabels, Tensor gtBoxes, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = gtBoxes.shape[0], n = gtBoxes.shape[1], a = predScores.shape[1], nc = predScores.shape[2];
        var at = mask.nonzero().unbind(1);                                               // image, box, anchor: (K) each
        var boxRow = at[0].Times(n).AddInPlace(at[1]);                                    // into (b*n)
        var anchorRow = at[0].Times(a).AddInPlace(at[2]);                                 // into (b*A)
        var gtAt = gtBoxes.reshape(-1, 4).index_select(0, boxRow);                       // (K, 4)
        var predAt = predBoxes.reshape(-1, 4).index_select(0, anchorRow);                // (K, 4)
        var classAt = gtLabels.to(ScalarType.Int64).reshape(-1).index_select(0, boxRow);
        var scoreAt = predScores.reshape(-1).index_select(0, anchorRow.Times(nc).AddInPlace(classAt));   // the box's own class
        var overlapAt = BoxTensorOps.CompleteIoU(gtAt, predAt).squeeze(-1).clamp_(HeldScalars.Zero);
        using var alpha = HeldScalars.Of(Alpha);
        var metricAt = scoreAt.pow_(alpha).mul_(overlapAt.Power(Beta));
        var position = boxRow.Times(a).AddInPlace(at[2]);                                 // into (b*n*A)
        var overlaps = zeros(b * n * a, dtype: predBoxes.dtype, device: predBoxes.device).index_copy_(0, position, overlapAt);
        var metric = zeros(b * n * a, dtype: predScores.dtype, device: predScores.device).index_copy_(0, position, metricAt);
        return (metric.view(b, n, a).MoveToOuterDisposeScope(), overlaps.view(b, n, a).MoveToOuterDisposeScope());
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
            // one_hot(best, n) transposed, built as a comparison: a (b, n, A) bool grid rather than an int64 one.
            var isBest = HeldScalars.Arange(n, ScalarType.Int64, best.device).view(1, n, 1).eq(best.unsqueeze(1)).to(overlaps.dtype);
            maskPos = where(multi, isBest, maskPos);
            fg = maskPos.sum([-2]);
        }
        var gtIndex = maskPos.argmax(-2);                                            // (b, A)
        return (gtIndex.MoveToOuterDisposeScope(), fg.MoveToOuterDisposeScope(), maskPos.MoveToOuterDisposeScope());
    }
}
