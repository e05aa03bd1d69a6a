using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Geometry;

/// <summary>Box arithmetic on tensors whose last dimension holds 4 box coordinates.</summary>
public static class BoxTensorOps
{
    /// <summary>
    /// Complete IoU (Zheng et al. 2020) of corner boxes <paramref name="a"/> and <paramref name="b"/> (broadcast), with a trailing
    /// dimension of 1 kept: IoU minus normalised centre distance minus aspect-ratio consistency term. The trade-off weight alpha
    /// is treated as a constant, as in the reference implementation.
    /// </summary>
    public static Tensor CompleteIoU(Tensor a, Tensor b, double eps = 1e-7)
    {
        using var scope = NewDisposeScope();
        var (ax1, ay1, ax2, ay2) = Split(a);
        var (bx1, by1, bx2, by2) = Split(b);
        // Scalars are explicit and held (HeldScalars): a + b, t + eps, t.pow(2), t / 4 would each make an implicit one.
        var w1 = ax2 - ax1; var h1 = (ay2 - ay1).Plus(eps);
        var w2 = bx2 - bx1; var h2 = (by2 - by1).Plus(eps);

        var inter = (minimum(ax2, bx2) - maximum(ax1, bx1)).clamp_(HeldScalars.Zero) * (minimum(ay2, by2) - maximum(ay1, by1)).clamp_(HeldScalars.Zero);
        var union = ((w1 * h1).Plus(w2 * h2) - inter).Plus(eps);
        var iou = inter / union;

        var cw = maximum(ax2, bx2) - minimum(ax1, bx1);          // enclosing box
        var ch = maximum(ay2, by2) - minimum(ay1, by1);
        var c2 = cw.pow(HeldScalars.Two).Plus(ch.pow(HeldScalars.Two)).Plus(eps);
        var rho2 = (bx1.Plus(bx2) - ax1 - ax2).pow(HeldScalars.Two).Plus((by1.Plus(by2) - ay1 - ay2).pow(HeldScalars.Two)).Over(4);
        var v = (atan(w2 / h2) - atan(w1 / h1)).pow(HeldScalars.Two).Times(4 / (Math.PI * Math.PI));
        Tensor alpha;
        using (no_grad()) alpha = v / (v - iou).Plus(1 + eps);
        return (iou - (rho2 / c2).Plus(v * alpha)).MoveToOuterDisposeScope();
    }

    /// <summary>Plain IoU of corner boxes (broadcast), trailing dimension of 1 kept.</summary>
    public static Tensor IoU(Tensor a, Tensor b, double eps = 1e-7)
    {
        using var scope = NewDisposeScope();
        var (ax1, ay1, ax2, ay2) = Split(a);
        var (bx1, by1, bx2, by2) = Split(b);
        var inter = (minimum(ax2, bx2) - maximum(ax1, bx1)).clamp_(HeldScalars.Zero) * (minimum(ay2, by2) - maximum(ay1, by1)).clamp_(HeldScalars.Zero);
        var union = (((ax2 - ax1) * (ay2 - ay1).Plus(eps)).Plus((bx2 - bx1) * (by2 - by1).Plus(eps)) - inter).Plus(eps);
        return (inter / union).MoveToOuterDisposeScope();
    }

    /// <summary>Distances (left, top, right, bottom) from anchor points to box sides → corner boxes (or centre boxes).</summary>
    public static Tensor DistanceToBox(Tensor distance, Tensor anchorPoints, bool centreForm, long dim = -1)
    {
        using var scope = NewDisposeScope();
        var parts = distance.chunk(2, dim);
        var x1y1 = anchorPoints - parts[0];
        var x2y2 = anchorPoints.Plus(parts[1]);
        Tensor result = centreForm ? cat([x1y1.Plus(x2y2).Over(2), x2y2 - x1y1], dim) : cat([x1y1, x2y2], dim);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Corner boxes → distances (l, t, r, b) from the anchor points, clamped to [0, maxDistance - 0.01] so DFL's right bin exists.</summary>
    public static Tensor BoxToDistance(Tensor anchorPoints, Tensor boxes, double maxDistance)
    {
        using var scope = NewDisposeScope();
        var parts = boxes.chunk(2, -1);
        return cat([anchorPoints - parts[0], parts[1] - anchorPoints], -1).ClampInPlace(0, maxDistance - 0.01).MoveToOuterDisposeScope();
    }

    static (Tensor, Tensor, Tensor, Tensor) Split(Tensor boxes)
    {
        var p = boxes.chunk(4, -1);
        return (p[0], p[1], p[2], p[3]);
    }
}
