using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>
/// <see cref="ChannelsLastCheck"/> finds the convolution shapes this CPU computes wrongly channels_last. The shapes below include
/// 1x1 convolutions with 40, 80 and 112 outputs, which an AMD EPYC (AVX-512, libtorch 2.10) computed wrongly; on most CPUs
/// every shape agrees. Either way the check's verdict must be what a direct comparison at another size and batch finds.
/// </summary>
public class ChannelsLastCheckTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly ChannelsLastCheck.ConvShape[] Shapes =
    [
        new(32, 16, 1, 1, 1, 0, 1, 1), new(32, 40, 1, 1, 1, 0, 1, 1), new(64, 80, 1, 1, 1, 0, 1, 1), new(64, 112, 1, 1, 1, 0, 1, 1),
        new(64, 64, 1, 1, 1, 0, 1, 1), new(16, 80, 3, 3, 1, 1, 1, 1), new(16, 32, 3, 3, 2, 1, 1, 1), new(64, 4, 1, 1, 1, 0, 1, 1),
    ];

    /// <summary>Largest |channels_last - float64 NCHW| relative to the largest output, batch 2 at 20x20 outputs.</summary>
    static double DirectError(ChannelsLastCheck.ConvShape s)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        long size = 19 * s.Stride + s.KernelH - 2 * s.Padding;
        var x = rand([2, s.In, size, size], generator: generator);
        var w = randn([s.Out, s.In / s.Groups, s.KernelH, s.KernelW], generator: generator);
        long[] stride = [s.Stride, s.Stride], padding = [s.Padding, s.Padding];
        var reference = nn.functional.conv2d(x.to(float64), w.to(float64), null, stride, padding);
        var nhwc = nn.functional.conv2d(ChannelsLast.Of(x), ChannelsLast.Of(w), null, stride, padding);
        return (nhwc.to(float64) - reference).abs().max().item<double>() / reference.abs().max().item<double>();
    }

    [Fact]
    public void The_verdict_is_what_a_direct_comparison_finds()
    {
        foreach (var s in Shapes)
        {
            double error = DirectError(s);
            bool agrees = ChannelsLastCheck.Agrees(s);
            output.WriteLine($"{s}: relative error at 20x20, batch 2: {error:G3}; check: {(agrees ? "agrees" : "wrong")}");
            Assert.True(agrees == error <= ChannelsLastCheck.Tolerance, $"{s}: the check says {(agrees ? "agrees" : "wrong")}, the direct error is {error:G3}");
        }
    }

    [Fact]
    public void WrongShapes_lists_each_wrong_shape_of_a_model_once()
    {
        using var model = new YoloDetector(ModelScale.N, numClasses: 80);
        if (!ChannelsLastCheck.CpuDescribesCaches)
        {
            // A trial may kill the process on such a CPU: only a child process tries them (ChannelsLastTrialTests, end to end).
            var e = Assert.Throws<InvalidOperationException>(() => ChannelsLastCheck.WrongShapes(model));
            Assert.Contains("ChannelsLastTrialProcess", e.Message);
            return;
        }
        var wrong = ChannelsLastCheck.WrongShapes(model);
        output.WriteLine(wrong.Count == 0 ? "every convolution shape agrees on this CPU" : "wrong: " + string.Join(", ", wrong));
        Assert.Equal(wrong.Count, wrong.Distinct().Count());
        foreach (var s in wrong) Assert.False(ChannelsLastCheck.Agrees(s), $"{s} is listed but agrees when tried again");
        // The class-logit convolution (80 outputs from 80) is listed exactly when it is computed wrongly.
        var logits = new ChannelsLastCheck.ConvShape(80, 80, 1, 1, 1, 0, 1, 1);
        Assert.Equal(!ChannelsLastCheck.Agrees(logits), wrong.Contains(logits));
    }

    [Fact]
    public void Problem_is_the_missing_cache_description_or_the_wrong_shapes()
    {
        using var model = new YoloDetector(ModelScale.N, numClasses: 80);
        var problem = ChannelsLastCheck.Problem(model);
        output.WriteLine($"CPU describes its caches: {ChannelsLastCheck.CpuDescribesCaches}; problem: {problem ?? "none"}");
        if (!ChannelsLastCheck.CpuDescribesCaches) Assert.Contains("describes no data caches", problem);
        else if (ChannelsLastCheck.WrongShapes(model) is { Count: > 0 } wrong) Assert.Contains(wrong[0].ToString(), problem);
        else Assert.Null(problem);
    }
}
