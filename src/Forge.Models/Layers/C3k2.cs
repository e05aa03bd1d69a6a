using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// YOLO11's <c>C3k2</c>: a <see cref="C2f"/> whose blocks are <see cref="C3k"/> (when <c>c3k</c>, used at scales m/l/x and
/// in the last head block) or plain <see cref="Bottleneck"/>s with expansion 0.5. Arguments as Ultralytics'
/// C3k2(c1, c2, n, c3k, e, g, shortcut).
/// </summary>
public sealed class C3k2 : C2f
{
    /// <summary>True when the blocks are C3k.</summary>
    public bool UsesC3k { get; }

    public C3k2(long inChannels, long outChannels, int repeats = 1, bool c3k = false, double expansion = 0.5, long groups = 1, bool shortcut = true)
        : base(inChannels, outChannels, repeats, expansion,
               c => c3k ? new C3k(c, c, 2, shortcut, groups) : new Bottleneck(c, c, shortcut, groups, 3, 3, 0.5), nameof(C3k2))
    {
        UsesC3k = c3k;
    }
}
