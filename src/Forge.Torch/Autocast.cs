using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// libtorch's automatic mixed precision on the CPU, as PyTorch's <c>torch.autocast("cpu", dtype=torch.bfloat16)</c>: inside
/// the region, the operators PyTorch lists for lower precision (convolutions, matmul, linear) run in bfloat16 (inputs and
/// float32 weights cast on the fly, the weight casts cached until the region ends); BatchNorm and SiLU follow their
/// input's dtype; parameters, their gradients and optimizer state stay float32. TorchSharp 0.107 has no autocast, so the
/// region is set in libtorch directly (<c>at::autocast</c>). The state is thread-local: the region covers the forward run on
/// the thread that opened it; backward then runs each operator in the dtype its forward used.
/// </summary>
public sealed class Autocast : IDisposable
{
    const sbyte CpuDevice = 0;        // c10::DeviceType::CPU
    const sbyte BFloat16Code = 15;    // c10::ScalarType::BFloat16

    readonly bool wasEnabled;
    bool disposed;

    Autocast(bool enabled)
    {
        wasEnabled = Native.IsEnabled(CpuDevice);
        if (enabled) Native.SetDtype(CpuDevice, BFloat16Code);
        Native.SetEnabled(CpuDevice, enabled);
    }

    /// <summary>
    /// Opens a bfloat16 autocast region on this thread's CPU operators; dispose to close it (the cached weight casts are freed
    /// when the outermost region closes).
    /// </summary>
    /// <exception cref="EntryPointNotFoundException">This libtorch does not export <c>at::autocast</c>'s switches.</exception>
    public static Autocast BFloat16() => new(enabled: true);

    /// <summary>
    /// Suspends an open region on this thread until disposed (<c>torch.autocast("cpu", enabled=False)</c> nested in one):
    /// operators inside run in their inputs' dtype, so float32 inputs compute in float32.
    /// </summary>
    public static Autocast Suspend() => new(enabled: false);

    /// <summary>Whether a CPU autocast region is open on this thread (torch.is_autocast_enabled("cpu")).</summary>
    public static bool IsEnabled => Native.IsEnabled(CpuDevice);

    /// <summary>
    /// Whether this CPU computes bfloat16 natively (AVX512_BF16 or AMX-BF16 in /proc/cpuinfo): elsewhere oneDNN emulates it
    /// and bfloat16 steps are slower than float32 ones.
    /// </summary>
    public static bool CpuHasNativeBFloat16 { get; } = ReadCpuFlags().Overlaps(["avx512_bf16", "amx_bf16"]);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        bool open = Native.IsEnabled(CpuDevice);
        Native.SetEnabled(CpuDevice, wasEnabled);
        if (open && !wasEnabled) Native.ClearCache();   // the outermost region closed
    }

    static HashSet<string> ReadCpuFlags()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return [];
        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? [] : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    static class Native
    {
        const string Library = "libtorch_cpu";

        [DllImport(Library, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool IsEnabled(sbyte device);

        [DllImport(Library, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
        public static extern void SetEnabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport(Library, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
        public static extern void SetDtype(sbyte device, sbyte dtype);

        [DllImport(Library, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
        public static extern void ClearCache();
    }
}
