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
/// COCO128 mAP50 came out 0.567 instead of 0.594), (2) a 1x1 convolution from 1024 inputs to 256 or 512 outputs stopped the
/// process with a division by zero (SIGFPE, at every batch and size tried; YOLOv8s, YOLOv8l and YOLO11s have one), while
/// 1024 -> 128 and 896 -> 512 ran right. NCHW was right and ran every model; so were 3x3 convolutions and the backward passes.
/// So each distinct shape is tried once per process on seeded random tensors (its own generator: the global random state is
/// not touched), forward and backward, against the same convolution in NCHW. On a CPU that describes its caches the trials
/// run in this process; on one that does not, a trial may kill the process, so they run in a child process
/// (<see cref="ChannelsLastTrialProcess"/>, which a host such as the forge CLI registers) or, without one, are not run
/// and the model runs NCHW.
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
    /// Why no shape can be tried in this process, or null when they can: the CPU describes no caches and no
    /// <see cref="ChannelsLastTrialProcess"/> is registered to try them safely.
    /// </summary>
    public static string? Untried => CpuDescribesCaches || ChannelsLastTrialProcess.Current is not null ? null
        : "this CPU describes no data caches through CPUID (a virtual machine that hides them), and libtorch's oneDNN channels_last " +
          "kernels then compute some convolutions wrongly or stop the process with a division by zero (this process cannot try " +
          "its shapes in a child process; the forge command line can)";

    /// <summary>
    /// What stands in the way of running <paramref name="module"/> channels_last on this CPU, or null when nothing does: its shapes
    /// cannot be tried (<see cref="TryWrongShapes"/>), or some are computed wrongly or stop the process (those can still run
    /// NCHW inside a channels_last model, <see cref="NchwConvolutions"/>).
    /// </summary>
    public static string? Problem(nn.Module module) =>
        TryWrongShapes(module, out string? untried) is not { } wrong ? untried : wrong.Count == 0 ? null : WrongShapesText(wrong);

    /// <summary>
    /// <see cref="WrongShapes"/>, or null when the shapes cannot be tried: then <paramref name="untried"/> says why
    /// (<see cref="Untried"/>, or the trial process failed).
    /// </summary>
    public static IReadOnlyList<ConvShape>? TryWrongShapes(nn.Module module, out string? untried)
    {
        untried = Untried;
        if (untried is not null) return null;
        try { return WrongShapes(module); }
        catch (InvalidOperationException e)
        {
            untried = $"its convolution shapes could not be tried: {e.Message}";
            return null;
        }
    }

    /// <summary>"libtorch computes the SHAPES of this model wrongly ..." for a problem or a note.</summary>
    public static string WrongShapesText(IEnumerable<ConvShape> wrong) =>
        $"libtorch computes the {string.Join(", ", wrong)} of this model wrongly in the channels_last layout on this CPU, or stops " +
        "the process there (tried against an NCHW reference" + (CpuDescribesCaches ? ")" : " in a child process, since this CPU describes no caches)");

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

        /// <summary>The shape as one command-line argument, "In,Out,KernelH,KernelW,Stride,Padding,Dilation,Groups" (see <see cref="Parse"/>).</summary>
        public string ToArgument() => string.Join(',', In, Out, KernelH, KernelW, Stride, Padding, Dilation, Groups);

        /// <summary>The shape of <see cref="ToArgument"/>'s form.</summary>
        /// <exception cref="FormatException">Not eight comma-separated integers, or a size below its minimum (1; padding 0).</exception>
        public static ConvShape Parse(string argument)
        {
            var v = argument.Split(',').Select(p => long.TryParse(p, out long x) ? x : -1).ToArray();
            if (v.Length != 8 || v.Any(x => x < 0) || v.Where((x, i) => i != 5 && x < 1).Any())
                throw new FormatException($"'{argument}' is not a convolution shape In,Out,KernelH,KernelW,Stride,Padding,Dilation,Groups " +
                                          "(eight integers, all >= 1 but the padding, >= 0)");
            return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        }
    }

    /// <summary>
    /// The distinct shapes among <paramref name="module"/>'s Conv2d layers whose channels_last forward or backward is wrong on this
    /// CPU, or whose trial killed the child process (empty when all agree). Only CPU convolutions are tried; call it for a model
    /// that runs on the CPU.
    /// </summary>
    /// <exception cref="InvalidOperationException">The CPU describes no caches and no <see cref="ChannelsLastTrialProcess"/> is
    /// registered, or the trial process failed (<see cref="ChannelsLastTrialProcess.Try"/>).</exception>
    public static IReadOnlyList<ConvShape> WrongShapes(nn.Module module)
    {
        var shapes = module.modules().OfType<Conv2d>().Select(ShapeOf).Distinct().ToList();
        if (!CpuDescribesCaches)
        {
            var process = ChannelsLastTrialProcess.Current
                ?? throw new InvalidOperationException("this CPU describes no caches: its channels_last trials need a ChannelsLastTrialProcess");
            var untried = shapes.Where(s => !Verdicts.ContainsKey(s)).ToList();
            if (untried.Count > 0)
                foreach (var (shape, agrees) in process.Try(untried)) Verdicts.TryAdd(shape, agrees);
        }
        return shapes.Where(s => !Verdicts.GetOrAdd(s, Agrees)).ToList();
    }

    /// <summary>
    /// The child's side of <see cref="ChannelsLastTrialProcess"/>: tries each shape (<see cref="ConvShape.ToArgument"/> form) in
    /// this process and writes "ARGUMENT ok" or "ARGUMENT wrong" per shape, flushed before the next trial starts, so a
    /// trial that kills the process is the first shape without a line. Returns 0, or 2 (with a message) for a malformed shape.
    /// </summary>
    public static int RunTrials(IReadOnlyList<string> shapeArguments, TextWriter output, TextWriter error)
    {
        ConvShape[] shapes;
        try { shapes = shapeArguments.Select(ConvShape.Parse).ToArray(); }
        catch (FormatException e)
        {
            error.WriteLine($"channels-last-trial: {e.Message}");
            return 2;
        }
        for (int i = 0; i < shapes.Length; i++)
        {
            output.WriteLine($"{shapeArguments[i]} {(Agrees(shapes[i]) ? "ok" : "wrong")}");
            output.Flush();
        }
        return 0;
    }

    /// <summary>Whether one shape's channels_last forward and backward (input and weight gradients) equal its NCHW ones (what the
    /// fallback runs) within <see cref="Tolerance"/> in every trial. Runs the trial in this process, whatever the CPU.</summary>
    public static bool Agrees(ConvShape s) => Trials.All(t => Agrees(s, t.Batch, t.Size));

    static bool Agrees(ConvShape s, int batch, int size)
    {
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed: 20261201);
        long inSize = Math.Max((size - 1) * s.Stride + s.Dilation * (s.KernelH - 1) + 1 - 2 * s.Padding, 1);
        var x = rand([batch, s.In, inSize, inSize], generator: generator);
        var w = randn([s.Out, s.In / s.Groups, s.KernelH, s.KernelW], generator: generator);
        var b = randn([s.Out], generator: generator);
        var nchw = ForwardBackward(s, x, w, b, generator);
        var nhwc = ForwardBackward(s, ChannelsLast.Of(x), ChannelsLast.Of(w), b, generator: null, dy: nchw.Dy);
        return Close(nhwc.Y, nchw.Y) && Close(nhwc.Dx, nchw.Dx) && Close(nhwc.Dw, nchw.Dw);
    }

    /// <summary>y = conv2d(x, w, b) and the gradients of sum(y * dy) with respect to x and w; dy drawn from
    /// <paramref name="generator"/> when not given (in y's layout otherwise).</summary>
    static (Tensor Y, Tensor Dy, Tensor Dx, Tensor Dw) ForwardBackward(ConvShape s, Tensor x, Tensor w, Tensor b, Generator? generator, Tensor? dy = null)
    {
        var xl = x.detach().requires_grad_(true);
        var wl = w.detach().requires_grad_(true);
        long[] stride = [s.Stride, s.Stride], padding = [s.Padding, s.Padding], dilation = [s.Dilation, s.Dilation];
        var y = nn.functional.conv2d(xl, wl, b, stride, padding, dilation, s.Groups);
        dy ??= randn(y.shape, generator: generator);
        var grads = autograd.grad([y], [xl, wl], [ChannelsLast.Is(y) ? ChannelsLast.Of(dy) : dy]);
        return (y.detach(), dy, grads[0], grads[1]);
    }

    static bool Close(Tensor actual, Tensor expected)
    {
        double scale = expected.abs().max().to(float64).item<double>();
        double error = (actual - expected).abs().max().to(float64).item<double>();
        return error <= Tolerance * Math.Max(scale, 1e-12);
    }

    /// <summary>The shape of a Conv2d as the check tries it (padding from the module, or "same" where it has none).</summary>
    public static ConvShape ShapeOf(Conv2d c)
    {
        var shape = c.weight!.shape;
        long padding = c.padding is { Length: > 0 } p ? p[0] : c.dilation[0] * (shape[2] - 1) / 2;
        return new ConvShape(shape[1] * c.groups, shape[0], shape[2], shape[3], c.stride[0], padding, c.dilation[0], c.groups);
    }
}
