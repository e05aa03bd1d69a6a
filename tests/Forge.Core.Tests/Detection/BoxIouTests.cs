namespace Forge.Core.Tests.Detection;

using Forge.Core.Geometry;

public class BoxIouTests
{
    [Fact]
    public void IdenticalBoxesHaveIouOne() =>
        Assert.Equal(1f, BoxF.IoU(new BoxF(1, 2, 5, 7), new BoxF(1, 2, 5, 7)));

    [Fact]
    public void DisjointAndTouchingBoxesHaveIouZero()
    {
        Assert.Equal(0f, BoxF.IoU(new BoxF(0, 0, 1, 1), new BoxF(5, 5, 6, 6)));
        Assert.Equal(0f, BoxF.IoU(new BoxF(0, 0, 1, 1), new BoxF(1, 0, 2, 1))); // shared edge, no area
    }

    [Fact]
    public void HalfShiftedBoxesHaveIouOneThird()
    {
        // intersection 1x2 = 2, union 4 + 4 - 2 = 6
        Assert.Equal(1f / 3f, BoxF.IoU(new BoxF(0, 0, 2, 2), new BoxF(1, 0, 3, 2)), 6);
    }

    [Fact]
    public void ContainedBoxIouIsAreaRatio()
    {
        // 2x2 inside 4x4: 4 / 16
        Assert.Equal(0.25f, BoxF.IoU(new BoxF(0, 0, 4, 4), new BoxF(1, 1, 3, 3)));
    }

    [Fact]
    public void IouIsSymmetric()
    {
        var a = new BoxF(0, 0, 3, 1);
        var b = new BoxF(1, 0, 4, 1);
        Assert.Equal(0.5f, BoxF.IoU(a, b)); // intersection 2, union 4
        Assert.Equal(BoxF.IoU(a, b), BoxF.IoU(b, a));
    }

    [Fact]
    public void EmptyBoxesHaveIouZero() =>
        Assert.Equal(0f, BoxF.IoU(new BoxF(0, 0, 0, 0), new BoxF(0, 0, 0, 0)));
}
