using Forge.Torch;
using Forge.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Tests;

/// <summary>
/// The reducer's device path (used with NCCL on GPUs), exercised on CPU with a stand-in for the device all-reduce that adds
/// a second rank's buffer: averaging, "had a gradient" slots and the unused-parameter report must match the MPI path.
/// </summary>
public class DeviceAllReducePathTests
{
    /// <summary>Adds the other rank's packed bucket (gradients then slots), as a sum across two ranks would.</summary>
    sealed class AddOtherRank(float[] other) : IDeviceAllReduce
    {
        public int Calls { get; private set; }
        public void AllReduceSum(Tensor buffer)
        {
            Calls++;
            using var o = tensor(other);
            buffer.AddInPlace(o);
        }
        public void Dispose() { }
    }

    [Fact]
    public void AveragesWithTheOtherRankAndReportsParametersNoRankUsed()
    {
        using var a = zeros(2).requires_grad_();      // used here and on the other rank
        using var b = zeros(3).requires_grad_();      // used only on the other rank
        using var c = zeros(1).requires_grad_();      // used by no rank
        (a * tensor(new float[] { 2, 4 })).sum().backward();
        // Other rank's bucket: a's grad [6, 8], b's grad [3, 3, 3], c none; slots 1, 1, 0.
        var fake = new AddOtherRank([6, 8, 3, 3, 3, 0, 1, 1, 0]);
        var warnings = new List<string>();
        using var reducer = new GradientBucketReducer(new RankZeroOfTwo(), [("a", a), ("b", b), ("c", c)], warning: warnings.Add, deviceAllReduce: fake);

        reducer.ReduceAndAverage();

        Assert.Equal(1, fake.Calls);
        Assert.Equal(new float[] { 4, 6 }, a.grad!.data<float>().ToArray());
        Assert.Equal(new float[] { 1.5f, 1.5f, 1.5f }, b.grad!.data<float>().ToArray());
        Assert.Null(c.grad);
        Assert.Equal(["c"], reducer.UnusedParameters);
        Assert.Single(warnings);
        Assert.Contains("c", warnings[0]);
    }
}
