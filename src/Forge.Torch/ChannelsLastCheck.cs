using System.Collections.Concurrent;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// Whether libtorch's CPU convolutions compute the same values channels_last as NCHW for the convolution shapes of a model.
/// On some machines they do not. Measured 2026-12-01 on a virtual machine whose CPU (AMD EPYC, AVX-512) returns zeros from CPUID's cache
/// description leaf (no cache sizes; libtorch 2.10.0): oneDNN sizes its channels_last kernels' blocks
/// from those caches, and (1) the forward of a 1x1 convolution with a channels_last input wrote wrong values into its last
/// output channels whenever the output width was 33-45, 65-80, 104, 112, 136, ... (a YOLOv8n with 80 classes has one: its
/// COCO128 mAP50 came out 0.567 instead of 0.594), (2) a 1024 -> 512 1x1 convolution stopped the process with a division by
/// zero (SIGFPE; YOLOv8s, YOLOv8l and YOLO11s could not run channels_last at all). NCHW was right and ran every model.
/// So: a CPU without cache sizes is not tried at all (<see cref="CpuDescribesCaches"/>); elsewhere each distinct shape is
/// tried once per process on seeded random tensors (its own generator: the global random state is not touched) against the
/// same convolution in NCHW.
/// </summary>
public static class ChannelsLastCheck
{
    /// <summary>Largest |channels_last - NCHW| / max |NCHW| taken as rounding. float32 convolutions of these sizes differ
    /// from float64 by about 1e-6 relative (measured up to 2e-6); the wrong channels were off by 0.1-0.7 relative.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>The trials, (batch, output rows and columns): libtorch picks its kernel by size. On the CPU above the wrong one
    /// ran for two or more images from 2x2 outputs on, and for one image from 20x20 (a single small image takes another path).
    /// Two images each time: with one small image libtorch may leave oneDNN and first ask for NNPACK, which prints a warning
    /// on CPUs it does not support.</summary>
    static readonly (int Batch, int Size)[] Trials = [(2, 8), (2, 20)];

    static readonly ConcurrentDictionary<ConvShape, bool> Verdicts = new();

    /// <summary>
    /// False when the CPU has CPUID's deterministic cache leaf (leaf 4; on AMD 0x8000001D) and describes no data cache there, as
    /// the virtual machine above did. True on other CPUs and off x86.
    /// </summary>
    public static bool CpuDescribesCaches { get; } = DescribesCaches();

    /// <summary>
    /// Why <paramref name="module"/> must not run channels_last on this CPU, or null when it may: the CPU describes no caches,
    /// or some of its convolution shapes are computed wrongly (<see cref="WrongShapes"/>, not tried on such a CPU).
    /// </summary>
    public static string? Problem(nn.Module module)
    {
        if (!CpuDescribesCaches)
            return "this CPU describes no data caches through CPUID (a virtual machine that hides them), and libtorch's oneDNN channels_last " +
                   "kernels then compute some convolutions wrongly or stop the process with a division by zero";
        var wrong = WrongShapes(module);
        return wrong.Count == 0 ? null
            : $"libtorch computes the {string.Join(", ", wrong)} of this model wrongly in the channels_last layout on this CPU (tried against an NCHW reference)";
    }

    static bool DescribesCaches()
    {
        if (!X86Base.IsSupported) return true;
        var (maxLeaf, vendor, _, _) = X86Base.CpuId(0, 0);
        int leaf = 4;
        if (vendor == 0x68747541)   // "Auth"enticAMD: leaf 0x8000001D where the CPU has it (the machine above did not set the
        {                           // TOPOEXT bit that announces it, yet oneDNN still found no caches)
            var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
            if ((uint)maxExtended < 0x8000001D) return true;
            leaf = unchecked((int)0x8000001D);
        }
        else if (maxLeaf < 4) return true;
        for (int sub = 0; sub < 16; sub++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F;   // 0: no more caches, 1: data, 2: instruction, 3: unified
            if (type == 0) break;
            long size = (long)(((ebx >> 22) & 0x3FF) + 1) * (((ebx >> 12) & 0x3FF) + 1) * ((ebx & 0xFFF) + 1) * ((long)(uint)ecx + 1);
            if (type is 1 or 3 && size > 0) return true;
        }
        return false;
    }

    /// <summary>A convolution's shape as the check tries it (weight (Out, In/Groups, KernelH, KernelW)).</summary>
    public readonly record struct ConvShape(long In, long Out, long KernelH, long KernelW, long Stride, long Padding, long Dilation, long Groups)
    {
        public override string ToString() =>
            $"{KernelH}x{KernelW} conv {In}->{Out}" + (Stride != 1 ? $" stride {Stride}" : "") + (Groups != 1 ? $" groups {Groups}" : "");
    }

    /// <summary>
    /// The distinct shapes among <paramref name="module"/>'s Conv2d layers whose channels_last forward is wrong on this CPU
    /// (empty when all agree). Only CPU convolutions are tried; call it for a model that runs on the CPU.
    /// </summary>
    public static IReadOnlyList<ConvShape> WrongShapes(nn.Module module) =>
        module.modules().OfType<Conv2d>().Select(ShapeOf).Distinct().Where(s => !Verdicts.GetOrAdd(s, Agrees)).ToList();

    /// <summary>Whether one shape's channels_last forward equals its NCHW forward (what the fallback runs) within
    /// <see cref="Tolerance"/> in every trial.</summary>
    public static bool Agrees(ConvShape s) => Trials.All(t => Agrees(s, t.Batch, t.Size));

    static bool Agrees(ConvShape s, int batch, int size)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed: 20261201);
        long inSize = Math.Max((size - 1) * s.Stride + s.Dilation * (s.KernelH - 1) + 1 - 2 * s.Padding, 1);
        var x = rand([batch, s.In, inSize, inSize], generator: generator);
        var w = randn([s.Out, s.In / s.Groups, s.KernelH, s.KernelW], generator: generator);
        var b = randn([s.Out], generator: generator);
        long[] stride = [s.Stride, s.Stride], padding = [s.Padding, s.Padding], dilation = [s.Dilation, s.Dilation];
        var nchw = nn.functional.conv2d(x, w, b, stride, padding, dilation, s.Groups);
        var nhwc = nn.functional.conv2d(ChannelsLast.Of(x), ChannelsLast.Of(w), b, stride, padding, dilation, s.Groups);
        double scale = nchw.abs().max().to(float64).item<double>();
        double error = (nhwc - nchw).abs().max().to(float64).item<double>();
        return error <= Tolerance * Math.Max(scale, 1e-12);
    }

    static ConvShape ShapeOf(Conv2d c)
    {
        var shape = c.weight!.shape;
        long padding = c.padding is { Length: > 0 } p ? p[0] : c.dilation[0] * (shape[2] - 1) / 2;
        return new ConvShape(shape[1] * c.groups, shape[0], shape[2], shape[3], c.stride[0], padding, c.dilation[0], c.groups);
    }
}
