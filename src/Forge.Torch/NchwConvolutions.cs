using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// Convolutions that run NCHW inside a channels_last model: the shapes <see cref="ChannelsLastCheck"/> found computed wrongly
/// channels_last (or stopping the process) on this CPU. libtorch runs a convolution channels_last when its input or its weight
/// is, so a marked convolution needs both NCHW: <see cref="ChannelsLast.Convert"/> leaves its weight alone, and the modules
/// that call it (Forge.Models' ConvBnAct and Detect head) pass it <see cref="Input"/>, an NCHW copy of a channels_last input.
/// Its output is then NCHW, and the next channels_last convolution takes that as it is (libtorch re-lays it).
/// </summary>
public static class NchwConvolutions
{
    static readonly ConditionalWeakTable<Conv2d, object> Marked = new();

    /// <summary>Whether <paramref name="conv"/> runs NCHW.</summary>
    public static bool Contains(Conv2d conv) => Marked.TryGetValue(conv, out _);

    /// <summary>Marks every Conv2d of <paramref name="module"/> whose shape is one of <paramref name="shapes"/>; returns how many
    /// it marked (already marked ones not counted).</summary>
    public static int Mark(nn.Module module, IEnumerable<ChannelsLastCheck.ConvShape> shapes)
    {
        var set = shapes.ToHashSet();
        int marked = 0;
        foreach (var conv in module.modules().OfType<Conv2d>())
            if (set.Contains(ChannelsLastCheck.ShapeOf(conv)) && Marked.TryAdd(conv, true)) marked++;
        return marked;
    }

    /// <summary><paramref name="x"/> as <paramref name="conv"/> must receive it: an NCHW-contiguous copy when the convolution is
    /// marked and <paramref name="x"/> is not NCHW-contiguous, otherwise <paramref name="x"/> itself.</summary>
    public static Tensor Input(Conv2d conv, Tensor x) => Contains(conv) && !x.is_contiguous() ? x.contiguous() : x;
}
