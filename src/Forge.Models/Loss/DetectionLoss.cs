using Forge.Models.Geometry;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Loss;

/// <summary>Loss gains; Ultralytics defaults.</summary>
public sealed record LossGains(double Box = 7.5, double Cls = 0.5, double Dfl = 1.5);

/// <summary>The three loss terms of one batch after gains (box, cls, dfl), detached, as floats for logging.</summary>
public readonly record struct LossItems(float Box, float Cls, float Dfl)
{
    public float Total => Box + Cls + Dfl;
    public static LossItems operator +(LossItems a, LossItems b) => new(a.Box + b.Box, a.Cls + b.Cls, a.Dfl + b.Dfl);
    public LossItems Scale(float s) => new(Box * s, Cls * s, Dfl * s);
}

/// <summary>
/// How one process's share of a batch is scaled so that gradients averaged over ranks equal those of one process training on
/// the whole global batch: the target-score normaliser is summed over ranks (<paramref name="SumAcrossRanks"/>, a collective
/// every rank must call once per step) and the loss is multiplied by the global image count times the number of ranks.
/// </summary>
public sealed record LossNormalization(int GlobalImages, int WorldSize, Func<double, double> SumAcrossRanks)
{
    /// <summary>A single process: the reference behaviour (normaliser of this batch, loss times its image count).</summary>
    public static LossNormalization Local(long images) => new((int)images, 1, static x => x);
}

/// <summary>
/// YOLOv8 detection loss: task-aligned assignment, BCE classification against alignment-scaled targets, CIoU box loss and
/// DFL, each normalised by the sum of target scores; the total is multiplied by the batch size like the reference, so
/// gradient magnitudes (and therefore learning rates) carry over from Ultralytics.
/// </summary>
public sealed class DetectionLoss(YoloDetector model, LossGains? gains = null)
{
    readonly TaskAlignedAssigner assigner = new(model.NumClasses);
    readonly LossGains gains = gains ?? new LossGains();
    Tensor? binWeights;

    /// <returns>The scalar loss to back-propagate, and the detached per-term values (this rank's share when distributed:
    /// summing Items over ranks gives the global values).</returns>
    public (Tensor Loss, LossItems Items) Compute(Tensor raw, TargetBatch targets, int imageHeight, int imageWidth, LossNormalization? normalization = null)
    {
        normalization ??= LossNormalization.Local(raw.shape[0]);
        using var scope = NewDisposeScope();
        int regMax = model.RegMax, nc = model.NumClasses;
        long batch = raw.shape[0];
        var device = raw.device;
        var grid = model.Anchors(imageHeight, imageWidth, device);
        var anchors = grid.Points;                                                    // (A, 2) grid units
        var strides = grid.StrideTensor;                                              // (A, 1)

        var parts = raw.split([4L * regMax, nc], 1);
        var predDist = parts[0].permute(0, 2, 1).contiguous();                        // (b, A, 4*regMax)
        var predScores = parts[1].permute(0, 2, 1).contiguous();                      // (b, A, nc)

        var predBoxes = DecodeBoxes(anchors, predDist, regMax);                       // (b, A, 4) grid units
        using var assigned = assigner.Assign(
            predScores.detach().sigmoid(), predBoxes.detach() * strides, anchors * strides,
            targets.Labels, targets.Boxes, targets.Mask);

        double scoreSum = Math.Max(normalization.SumAcrossRanks(assigned.Scores.sum().AsDouble()), 1.0);
        var lossCls = nn.functional.binary_cross_entropy_with_logits(predScores, assigned.Scores, reduction: nn.Reduction.None).sum().Over(scoreSum);

        // Box and DFL terms over foreground anchors only; weights are each anchor's target score mass.
        var fg = assigned.ForegroundMask;
        Tensor lossBox, lossDfl;
        if (fg.any().item<bool>())
        {
            var weight = assigned.Scores.sum([-1])[fg].unsqueeze(-1);               // (F, 1)
            var targetBoxes = assigned.Boxes / strides;                                  // grid units
            var fgPred = predBoxes[fg];
            var fgTarget = targetBoxes[fg];
            var ciou = BoxTensorOps.CompleteIoU(fgPred, fgTarget);                      // (F, 1)
            lossBox = (ciou.SubtractedFrom(1.0) * weight).sum().Over(scoreSum);

            var fgAnchors = anchors.unsqueeze(0).expand(batch, -1, -1)[fg];            // (F, 2)
            var targetDist = BoxTensorOps.BoxToDistance(fgAnchors, fgTarget, regMax - 1);   // (F, 4)
            var fgLogits = predDist[fg].view(-1, 4, regMax);
            lossDfl = (DistributionFocalLoss.Compute(fgLogits, targetDist) * weight).sum().Over(scoreSum);
        }
        else
        {
            lossBox = zeros(1, device: device).sum();
            lossDfl = zeros(1, device: device).sum();
        }

        // Scalars are explicit and held (HeldScalars): t * 7.5 or a + b would each make an implicit one.
        var box = lossBox.Times(gains.Box);
        var cls = lossCls.Times(gains.Cls);
        var dfl = lossDfl.Times(gains.Dfl);
        var total = box.Plus(cls).Plus(dfl).Times((double)normalization.GlobalImages * normalization.WorldSize);
        var items = new LossItems(box.AsSingle(), cls.AsSingle(), dfl.AsSingle());
        return (total.MoveToOuterDisposeScope(), items);
    }

    /// <summary>Expected distance per side from the distribution logits, then corner boxes around each anchor (grid units).</summary>
    Tensor DecodeBoxes(Tensor anchors, Tensor predDist, int regMax)
    {
        long b = predDist.shape[0], a = predDist.shape[1];
        // Compare the device by type and index: Tensor.device is a new object on every call, so comparing references
        // rebuilt (and leaked) this tensor on every batch.
        if (binWeights is null || binWeights.device_type != predDist.device_type || binWeights.device_index != predDist.device_index || binWeights.dtype != predDist.dtype)
        {
            binWeights?.Dispose();
            binWeights = HeldScalars.Arange(regMax, predDist.dtype, predDist.device).DetachFromDisposeScope();
        }
        using var scope = NewDisposeScope();
        var distances = predDist.view(b, a, 4, regMax).softmax(3).matmul(binWeights);  // (b, A, 4)
        return BoxTensorOps.DistanceToBox(distances, anchors, centreForm: false).MoveToOuterDisposeScope();
    }
}
