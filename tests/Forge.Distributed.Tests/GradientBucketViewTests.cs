using Forge.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Tests;

/// <summary>
/// Gradients as bucket views (PyTorch DDP's gradient_as_bucket_view): after a reduction each parameter's .grad is its view of
/// the bucket, later backward passes accumulate straight into it, and a gradient that is not the view is copied in. The host
/// all-reduce is a stand-in that adds a second rank's packed bucket (gradients then "had a gradient" slots).
/// </summary>
public class GradientBucketViewTests
{
    /// <summary>Rank 0 whose host all-reduce adds the other rank's packed bucket, <paramref name="other"/>().</summary>
    static RankZeroOfTwo AddingOtherRank(Func<float[]> other) => new()
    {
        HostFloatSum = data =>
        {
            var o = other();
            Assert.Equal(o.Length, data.Length);
            for (int i = 0; i < data.Length; i++) data[i] += o[i];
        },
    };

    static float[] Grad(Tensor p) { using var g = p.grad!; return g.data<float>().ToArray(); }

    static IntPtr StorageOf(Tensor p)
    {
        using var scope = NewDisposeScope();
        using var g = p.grad!;
        using var s = g.storage<float>();
        return s.data_ptr();
    }

    static void Backward(Tensor a, Tensor b, float[] wa, float[] wb)
    {
        using var scope = NewDisposeScope();
        (a * tensor(wa)).sum().backward();
        (b * tensor(wb)).sum().backward();
    }

    static void ZeroGradInPlace(params Tensor[] ps)   // as Optimizer.ZeroGrad
    {
        foreach (var p in ps) { using var g = p.grad; g?.zero_(); }
    }

    [Fact]
    public void BackwardAccumulatesIntoTheBucketAfterTheFirstReduction()
    {
        using var a = zeros(2).requires_grad_();
        using var b = zeros(3).requires_grad_();
        float[] other = [];
        using var reducer = new GradientBucketReducer(AddingOtherRank(() => other), [("a", a), ("b", b)], warning: _ => { });

        // Step 1: fresh gradients (not views yet) are copied in, averaged, and the parameters re-pointed at the bucket.
        Backward(a, b, [2, 4], [1, 1, 1]);
        IntPtr before = StorageOf(a);
        other = [6, 8, 3, 3, 3, 1, 1];
        reducer.ReduceAndAverage();
        Assert.Equal(new float[] { 4, 6 }, Grad(a));
        Assert.Equal(new float[] { 2, 2, 2 }, Grad(b));
        Assert.NotEqual(before, StorageOf(a));
        Assert.Equal(StorageOf(a), StorageOf(b));   // one bucket, both views of it

        // Step 2: zero_grad in place, two backward passes accumulate (gradient accumulation) straight into the views.
        ZeroGradInPlace(a, b);
        Backward(a, b, [1, 1], [0, 1, 2]);
        Backward(a, b, [1, 3], [0, 1, 2]);
        other = [0, 0, 10, 10, 10, 1, 1];
        reducer.ReduceAndAverage();
        Assert.Equal(new float[] { 1, 2 }, Grad(a));
        Assert.Equal(new float[] { 5, 6, 7 }, Grad(b));
        Assert.Equal(StorageOf(a), StorageOf(b));

        // Step 3: a gradient the caller replaced (as a checkpoint load might) is copied in, not lost.
        ZeroGradInPlace(b);
        a.grad = tensor(new float[] { 10, 20 });
        Assert.NotEqual(StorageOf(a), StorageOf(b));
        other = [2, 4, 0, 0, 0, 1, 0];
        reducer.ReduceAndAverage();
        Assert.Equal(new float[] { 6, 12 }, Grad(a));
        Assert.Equal(new float[] { 0, 0, 0 }, Grad(b));
        Assert.Equal(StorageOf(a), StorageOf(b));
    }

    [Fact]
    public void AParameterOnlyAnotherRankUsedGetsTheAverageAsAView()
    {
        using var a = zeros(2).requires_grad_();
        using var b = zeros(1).requires_grad_();   // no local gradient
        float[] other = [];
        using var reducer = new GradientBucketReducer(AddingOtherRank(() => other), [("a", a), ("b", b)], warning: _ => { });
        using (var scope = NewDisposeScope()) (a * tensor(new float[] { 2, 2 })).sum().backward();
        other = [0, 0, 8, 1, 1];
        reducer.ReduceAndAverage();
        Assert.Equal(new float[] { 1, 1 }, Grad(a));
        Assert.Equal(new float[] { 4 }, Grad(b));
        Assert.Equal(StorageOf(a), StorageOf(b));
        Assert.Empty(reducer.UnusedParameters);
    }
}
