namespace Forge.Core.Tests.Metrics;

// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Core.Metrics;

public class ConfusionMatrixTests
{
    private static BoxF Box(float x1, float y1, float x2, float y2) => new(x1, y1, x2, y2);

    /// <summary>
    /// Two classes; index 2 is background.
    ///   GT0 class 0 found by a class-0 detection        -> [0, 0]
    ///   GT1 class 1 found by a class-0 detection        -> [0, 1] (confusion)
    ///   GT2 class 1 only covered by a detection at conf -> ignored detection, GT missed -> [2, 1]
    ///   class-1 detection on empty background           -> [1, 2]
    /// </summary>
    private static ConfusionMatrix MixedCase()
    {
        var cm = new ConfusionMatrix(2);
        cm.Process(
            [
                new Detection(Box(0, 0, 10, 10), 0.9f, 0),
                new Detection(Box(20, 0, 30, 10), 0.8f, 0),
                new Detection(Box(100, 100, 110, 110), 0.7f, 1),
                new Detection(Box(40, 0, 50, 10), 0.25f, 1),
            ],
            [new LabeledBox(Box(0, 0, 10, 10), 0), new LabeledBox(Box(20, 0, 30, 10), 1), new LabeledBox(Box(40, 0, 50, 10), 1)]);
        return cm;
    }

    [Fact]
    public void CountsCorrectConfusedMissedAndFalsePositive()
    {
        var m = MixedCase().Matrix;
        long[,] expected =
        {
            { 1, 1, 0 },
            { 0, 0, 1 },
            { 0, 1, 0 },
        };
        Assert.Equal(expected, m);
    }

    [Fact]
    public void NormalizesEachTrueClassColumn()
    {
        var n = MixedCase().Normalized();
        Assert.Equal(1.0, n[0, 0]);
        Assert.Equal(0.5, n[0, 1]);
        Assert.Equal(0.5, n[2, 1]);
        Assert.Equal(1.0, n[1, 2]);
        Assert.Equal(0.0, n[2, 2]);
    }

    [Fact]
    public void AssignsOneToOneInDescendingIouOrder()
    {
        // GT a [0,0,10,10], GT b [4,0,14,10]. Det A = GT a (IoU 1 with a, 60/140 = 0.43 with b);
        // det B [2,0,12,10] has IoU 80/120 = 0.67 with both. A takes a first, then B takes the still-free b.
        var cm = new ConfusionMatrix(1);
        cm.Process(
            [new Detection(Box(0, 0, 10, 10), 0.9f, 0), new Detection(Box(2, 0, 12, 10), 0.8f, 0)],
            [new LabeledBox(Box(0, 0, 10, 10), 0), new LabeledBox(Box(4, 0, 14, 10), 0)]);
        Assert.Equal(new long[,] { { 2, 0 }, { 0, 0 } }, cm.Matrix);
    }

    [Fact]
    public void AccumulatesOverImagesWithoutBoxes()
    {
        var cm = new ConfusionMatrix(1);
        cm.Process([], [new LabeledBox(Box(0, 0, 5, 5), 0)]);          // missed
        cm.Process([new Detection(Box(0, 0, 5, 5), 0.5f, 0)], []);     // false positive
        cm.Process([new Detection(Box(0, 0, 5, 5), 0.5f, 0)], [new LabeledBox(Box(0, 0, 5, 5), 0)]);
        Assert.Equal(new long[,] { { 1, 1 }, { 1, 0 } }, cm.Matrix);
    }

    [Fact]
    public void IouMustExceedThreshold()
    {
        // GT [0,0,2,1] vs detection [0,0,1,1]: IoU 0.5, which is not above 0.5.
        var cm = new ConfusionMatrix(1, conf: 0.25f, iouThreshold: 0.5f);
        cm.Process([new Detection(Box(0, 0, 1, 1), 0.9f, 0)], [new LabeledBox(Box(0, 0, 2, 1), 0)]);
        Assert.Equal(new long[,] { { 0, 1 }, { 1, 0 } }, cm.Matrix);
    }

    [Fact]
    public void ToTextShowsNamesAndCounts()
    {
        string text = MixedCase().ToText(["cat", "dog"]);
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("pred \\ true", lines[0]);
        Assert.Equal(["cat", "dog", "background"], lines[0]["pred \\ true".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["cat", "1", "1", "0"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["background", "0", "1", "0"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Throws<ArgumentException>(() => MixedCase().ToText(["cat"]));
    }
}
