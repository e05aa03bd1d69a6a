using Forge.Models.Geometry;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

public class BoxTensorOpsTests
{
    static Tensor Box(params float[] xyxy) => tensor(xyxy).view(1, 4);

    [Fact]
    public void IoUOfHalfOverlappingSquares()
    {
        // [0,0,2,2] vs [1,1,3,3]: intersection 1, union 4 + 4 - 1 = 7.
        using var iou = BoxTensorOps.IoU(Box(0, 0, 2, 2), Box(1, 1, 3, 3));
        Assert.Equal(1.0 / 7, iou.item<float>(), 5);
    }

    [Fact]
    public void CompleteIoUOfSameAspectBoxesSubtractsCentreDistance()
    {
        // IoU 1/7; enclosing box 3x3 -> c^2 = 18; centres (1,1) and (2,2) -> rho^2 = 2; same aspect -> v = 0.
        // CIoU = 1/7 - 2/18 = 0.031746
        using var c = BoxTensorOps.CompleteIoU(Box(0, 0, 2, 2), Box(1, 1, 3, 3));
        Assert.Equal(1.0 / 7 - 2.0 / 18, c.item<float>(), 5);
    }

    [Fact]
    public void CompleteIoUPenalisesAspectRatioDifference()
    {
        // a=[0,0,4,2], b=[0,0,2,2]: IoU 4/8 = 0.5; enclosing 4x2 -> c^2 = 20; centres (2,1),(1,1) -> rho^2 = 1 -> 0.05;
        // v = 4/pi^2 (atan(1) - atan(2))^2 = 0.041956; alpha = v / (v - 0.5 + 1) = 0.077416; v*alpha = 0.003248
        // CIoU = 0.5 - 0.05 - 0.003248 = 0.446752
        using var c = BoxTensorOps.CompleteIoU(Box(0, 0, 4, 2), Box(0, 0, 2, 2));
        Assert.Equal(0.446752, c.item<float>(), 5);
    }

    [Fact]
    public void CompleteIoUOfIdenticalBoxesIsOne()
    {
        using var c = BoxTensorOps.CompleteIoU(Box(3, 4, 10, 20), Box(3, 4, 10, 20));
        Assert.Equal(1.0, c.item<float>(), 5);
    }

    [Fact]
    public void CompleteIoUBroadcastsPairs()
    {
        using var a = tensor(new float[] { 0, 0, 2, 2, 0, 0, 4, 2 }).view(2, 1, 4);
        using var b = tensor(new float[] { 1, 1, 3, 3, 0, 0, 2, 2 }).view(1, 2, 4);
        using var c = BoxTensorOps.CompleteIoU(a, b);
        Assert.Equal(new long[] { 2, 2, 1 }, c.shape);
        Assert.Equal(0.446752, c[1, 1, 0].item<float>(), 5);
    }

    [Fact]
    public void DistanceAndBoxConversionsAreInverse()
    {
        using var anchors = tensor(new float[] { 5.5f, 3.5f }).view(1, 2);
        using var box = tensor(new float[] { 2f, 1f, 9f, 4f }).view(1, 4);
        using var dist = BoxTensorOps.BoxToDistance(anchors, box, 15);
        Assert.Equal(new float[] { 3.5f, 2.5f, 3.5f, 0.5f }, dist.data<float>().ToArray());
        using var back = BoxTensorOps.DistanceToBox(dist, anchors, centreForm: false);
        Assert.Equal(box.data<float>().ToArray(), back.data<float>().ToArray());
        using var centre = BoxTensorOps.DistanceToBox(dist, anchors, centreForm: true);
        Assert.Equal(new float[] { 5.5f, 2.5f, 7f, 3f }, centre.data<float>().ToArray());
    }

    [Fact]
    public void BoxToDistanceClampsBelowLastBin()
    {
        using var anchors = tensor(new float[] { 0.5f, 0.5f }).view(1, 2);
        using var box = tensor(new float[] { -30f, 0f, 40f, 1f }).view(1, 4);
        using var dist = BoxTensorOps.BoxToDistance(anchors, box, 15);
        Assert.Equal(14.99f, dist[0, 0].item<float>(), 4);
        Assert.Equal(14.99f, dist[0, 2].item<float>(), 4);
    }
}
