using Forge.Torch;
using Forge.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed.Tests;

/// <summary>Single-process behaviour; averaging across ranks is tested under mpirun in <see cref="MultiProcessTests"/>.</summary>
public class GradientBucketReducerTests
{
    static (string, Tensor)[] Parameters(params long[] sizes)
        => sizes.Select((n, i) => ($"p{i}", (Tensor)torch.nn.Parameter(torch.ones(n)))).ToArray();

    [Fact]
    public void PacksParametersIntoBucketsOfTheRequestedSize()
    {
        using var comm = new SingleProcessCommunicator();
        // 10 floats per bucket: 4+5 | 6 | 30 (alone, larger than a bucket) | 2+3.
        using var reducer = new GradientBucketReducer(comm, Parameters(4, 5, 6, 30, 2, 3), bucketBytes: 40);
        Assert.Equal(new[] { "p0,p1", "p2", "p3", "p4,p5" }, reducer.BucketNames.Select(b => string.Join(",", b)));
    }

    [Fact]
    public void OneRankKeepsGradientsAndWarnsOnceAboutMissingOnes()
    {
        using var comm = new SingleProcessCommunicator();
        var ps = Parameters(3, 2);
        using var half = HeldScalars.Of(0.5);
        ps[0].Item2.grad = torch.full(3, half);
        var warnings = new List<string>();
        using var reducer = new GradientBucketReducer(comm, ps, warning: warnings.Add);
        reducer.ReduceAndAverage();
        reducer.ReduceAndAverage();
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f }, ps[0].Item2.grad!.data<float>().ToArray());
        Assert.Null(ps[1].Item2.grad);
        Assert.Equal(new[] { "p1" }, reducer.UnusedParameters);
        Assert.Single(warnings);
        Assert.Contains("p1", warnings[0]);
        Assert.Equal(2, reducer.Calls);
    }

    [Fact]
    public void ForModuleSkipsFrozenParameters()
    {
        using var comm = new SingleProcessCommunicator();
        using var model = nn.Sequential(("a", nn.Linear(2, 2)), ("b", nn.Linear(2, 1)));
        foreach (var (name, p) in model.named_parameters()) if (name.StartsWith("a.")) p.requires_grad = false;
        using var reducer = GradientBucketReducer.ForModule(model, comm);
        Assert.Equal(new[] { "b.weight", "b.bias" }, reducer.BucketNames.SelectMany(b => b));
    }

    [Fact]
    public void RejectsWhatItCannotAverage()
    {
        using var comm = new SingleProcessCommunicator();
        var e = Assert.Throws<NotSupportedException>(() =>
            new GradientBucketReducer(comm, new[] { ("half", (Tensor)torch.nn.Parameter(torch.ones(2, dtype: ScalarType.Float16))) }));
        Assert.Contains("'half' is Float16", e.Message);
        // float64 buckets exist for exact tests, but one reducer averages one dtype.
        e = Assert.Throws<NotSupportedException>(() => new GradientBucketReducer(comm, new[]
        {
            ("single", (Tensor)torch.nn.Parameter(torch.ones(2))),
            ("double", (Tensor)torch.nn.Parameter(torch.ones(2, dtype: ScalarType.Float64))),
        }));
        Assert.Contains("'double' is Float64 (the first is Float32)", e.Message);
        Assert.Throws<ArgumentException>(() => new GradientBucketReducer(comm, Array.Empty<(string, Tensor)>()));
    }
}
