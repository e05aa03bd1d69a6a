namespace Forge.Models.Layers;

/// <summary>YOLO11's <c>C3k</c>: a <see cref="C3"/> whose Bottlenecks use kernel k in both convolutions (C3k(c1, c2, n, shortcut, g, e, k)).</summary>
public sealed class C3k : C3
{
    public long Kernel { get; }

    public C3k(long inChannels, long outChannels, int repeats = 1, bool shortcut = true, long groups = 1, double expansion = 0.5, long kernel = 3)
        : base(inChannels, outChannels, repeats, shortcut, groups, expansion, kernel, kernel, nameof(C3k))
    {
        Kernel = kernel;
    }
}
