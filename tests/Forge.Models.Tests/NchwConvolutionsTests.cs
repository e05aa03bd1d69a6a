using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>
/// A convolution marked NCHW (<see cref="NchwConvolutions"/>: what the channels_last check does with a shape libtorch computes
/// wrongly channels_last) keeps its weight NCHW and gets an NCHW input inside an otherwise channels_last model, in training
/// and in the folded eval forward. The mark is forced here, so this holds on every CPU; on the AMD EPYC of
/// <see cref="ChannelsLastCheck"/> the marked shape (the 80 -> 80 class convolution of an 80-class YOLOv8n) is one its
/// channels_last kernel got wrong by 0.1-0.7 relative, which the comparisons below would catch.
/// Bound: 1e-3 of the largest output (<see cref="ChannelsLastCheck.Tolerance"/>); the channels_last and NCHW forwards of the
/// whole model differ by 6e-5 relative there (float32 sums in another order), the NCHW forward from float64 by 4e-6.
/// </summary>
public sealed class NchwConvolutionsTests
{
    static readonly ChannelsLastCheck.ConvShape ClassLogits = new(80, 80, 1, 1, 1, 0, 1, 1);

    static (YoloDetector Nchw, YoloDetector Mixed) Pair()
    {
        using var generator = new Generator(11);
        var nchw = new YoloDetector(ModelScale.N, numClasses: 80);
        var mixed = new YoloDetector(ModelScale.N, numClasses: 80);
        using var tenth = HeldScalars.Of(0.1);
        using (no_grad())
            foreach (var p in nchw.parameters())
            {
                using var r = randn(p.shape, generator: generator);
                p.copy_(r.mul_(tenth));
            }
        mixed.load_state_dict(nchw.state_dict());
        Assert.Equal(3, NchwConvolutions.Mark(mixed, [ClassLogits]));   // one per level
        Assert.Equal(0, NchwConvolutions.Mark(mixed, [ClassLogits]));   // marked once
        ChannelsLast.Convert(mixed);
        return (nchw, mixed);
    }

    static double RelativeError(Tensor actual, Tensor expected) =>
        (actual.to(float64) - expected.to(float64)).abs().max().item<double>() / expected.abs().max().to(float64).item<double>();

    /// <summary>A 1x1 weight (Out, In, 1, 1) has the same memory in both layouts, so for the marked (1x1) convolutions the input
    /// decides; the 3x3 weights show that the rest of the model was converted.</summary>
    [Fact]
    public void Marked_weights_stay_nchw_and_the_other_weights_are_channels_last()
    {
        var (nchw, mixed) = Pair();
        using var _ = nchw; using var __ = mixed;
        var convs = mixed.modules().OfType<Conv2d>().ToList();
        Assert.All(convs.Where(c => c.weight!.shape[2] > 1), c => Assert.True(ChannelsLast.Is(c.weight!)));
        Assert.Equal(3, convs.Count(NchwConvolutions.Contains));
        Assert.All(convs.Where(NchwConvolutions.Contains), c => Assert.True(c.weight!.is_contiguous()));
    }

    [Fact]
    public void Training_forward_and_the_marked_gradients_match_the_nchw_model()
    {
        var (nchw, mixed) = Pair();
        using var _ = nchw; using var __ = mixed;
        using var scope = NewDisposeScope();
        var x = rand([2, 3, 64, 64], generator: new Generator(12));
        var expected = nchw.forward(x);
        var actual = mixed.forward(ChannelsLast.Of(x));
        Assert.InRange(RelativeError(actual, expected), 0, ChannelsLastCheck.Tolerance);
        var dy = randn(expected.shape, generator: new Generator(13));
        (expected * dy).sum().backward();
        (actual * dy).sum().backward();
        var reference = nchw.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in mixed.named_parameters().Where(p => p.name.StartsWith("model.22.cv3.", StringComparison.Ordinal) && p.name.EndsWith(".2.weight", StringComparison.Ordinal)))
            Assert.InRange(RelativeError(p.grad!, reference[name].grad!), 0, ChannelsLastCheck.Tolerance);
    }

    [Fact]
    public void The_folded_eval_forward_matches_the_nchw_model()
    {
        var (nchw, mixed) = Pair();
        using var _ = nchw; using var __ = mixed;
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        nchw.eval(); mixed.eval();
        var x = rand([2, 3, 64, 64], generator: new Generator(14));
        using var fusedNchw = nchw.FuseForInference();
        using var fusedMixed = mixed.FuseForInference(channelsLast: true);
        Assert.InRange(RelativeError(mixed.forward(ChannelsLast.Of(x)), nchw.forward(x)), 0, ChannelsLastCheck.Tolerance);
    }

    [Fact]
    public void Input_copies_a_channels_last_tensor_only_for_a_marked_convolution()
    {
        using var marked = nn.Conv2d(80, 80, 1);
        using var other = nn.Conv2d(80, 80, 1);
        using var model = nn.Sequential(marked);
        NchwConvolutions.Mark(model, [ClassLogits]);
        using var x = rand(2, 80, 4, 4);
        using var cl = ChannelsLast.Of(x);
        using var copied = NchwConvolutions.Input(marked, cl);
        Assert.True(copied.is_contiguous());
        Assert.Same(cl, NchwConvolutions.Input(other, cl));
        Assert.Same(x, NchwConvolutions.Input(marked, x));
    }
}
