using Forge.Torch;
using Forge.Training.Optimization;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Forge.Training.Tests.Optimization;

[Collection(TorchSharpReferenceCollection.Name)]
public class GradientClippingTests
{
    [Fact]
    public void ScalesToMaxNormAndReturnsTheNormBefore()
    {
        // |(3, 4)|^2 + |(12)|^2 = 169: total norm 13.
        var a = Leaf(zeros(2));
        var b = Leaf(zeros(1));
        SetGrad(a, tensor(new float[] { 3, 4 }));
        SetGrad(b, tensor(new float[] { 12 }));
        double norm = GradientClipping.ClipByTotalNorm([a, b], 6.5);
        Assert.Equal(13.0, norm, 5);
        float coef = (float)(6.5 / (13 + 1e-6));
        Assert.Equal([3 * coef, 4 * coef], a.grad!.data<float>().ToArray());
        Assert.Equal(12 * coef, b.grad!.data<float>()[0], 6);
        using var after = stack([a.grad!.norm(), b.grad!.norm()]).norm();
        Assert.Equal(6.5, after.item<float>(), 4);
    }

    [Fact]
    public void SmallGradientsAreUnchanged()
    {
        var a = Leaf(zeros(2));
        SetGrad(a, tensor(new float[] { 3, 4 }));
        double norm = GradientClipping.ClipByTotalNorm([a], 10);
        Assert.Equal(5.0, norm, 6);
        Assert.Equal([3f, 4f], a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void ParametersWithoutGradientsAreSkipped()
    {
        var a = Leaf(zeros(2));
        var none = Leaf(zeros(3));
        SetGrad(a, tensor(new float[] { 6, 8 }));
        Assert.Equal(10.0, GradientClipping.ClipByTotalNorm([a, none], 1), 5);
        Assert.Null(none.grad);
        Assert.Equal(0.0, GradientClipping.ClipByTotalNorm([none], 1));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(1000.0)]
    public void MatchesTorchSharpClipGradNorm(double maxNorm)
    {
        var gen = new Generator(5);
        long[][] shapes = [[8, 3, 3, 3], [8], [4, 8, 1, 1]];
        var values = shapes.Select(s => randn(s, generator: gen)).ToArray();
        var grads = shapes.Select(s => randn(s, generator: gen).Times(0.3)).ToArray();
        var mine = values.Select(Leaf).ToArray();
        var theirs = values.Select(v => new Parameter(v.clone())).ToArray();
        for (int i = 0; i < shapes.Length; i++) { SetGrad(mine[i], grads[i]); SetGrad(theirs[i], grads[i]); }

        double myNorm = GradientClipping.ClipByTotalNorm(mine, maxNorm);
        double theirNorm = TorchSharpReference.Run(() => torch.nn.utils.clip_grad_norm_(theirs, maxNorm));

        Assert.Equal(theirNorm, myNorm, 4);
        for (int i = 0; i < shapes.Length; i++) Assert.True(MaxAbsDiff(mine[i].grad!, theirs[i].grad!) < 1e-6);
    }
}
