using System.Runtime.InteropServices;
using Forge.Core.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// Process-wide settings of the tensor library for a run, as Ultralytics' <c>init_seeds</c> (ultralytics/utils/torch_utils.py)
/// makes them: the seed, deterministic algorithms, and the mixed-precision decision.
/// </summary>
public static class TensorLibrary
{
    /// <summary>cuBLAS needs this workspace setting for reproducible results on CUDA (PyTorch's reproducibility notes).</summary>
    public const string CublasWorkspaceConfig = ":4096:8";

    /// <summary>The deterministic= value last applied to libtorch (null before the first run in this process).</summary>
    public static bool? DeterministicAlgorithms { get; private set; }

    /// <summary>
    /// Seeds the tensor library's generator with seed=, applies deterministic= (<see cref="SetDeterministic"/>) and decides amp=
    /// (<see cref="TrainsInBFloat16"/>).
    /// </summary>
    /// <param name="modelDtype">The dtype the model trains in (<see cref="TrainerOptions.Dtype"/>); mixed precision applies to float32 models.</param>
    /// <returns>Whether the training forward runs in bfloat16 autocast (<see cref="Forge.Torch.Autocast"/>).</returns>
    /// <exception cref="ConfigException">amp=true or amp=bf16 on CUDA: Forge does not implement mixed precision there yet. amp=bf16
    /// with a model that is not float32. half=true: it applies to val and predict (training in bfloat16 is amp=bf16).</exception>
    public static bool Configure(ForgeConfig cfg, Device device, TextWriter log, ScalarType modelDtype = ScalarType.Float32)
    {
        if (cfg.Half) throw new ConfigException("half=true applies to val and predict; to train with a bfloat16 forward on CPU use amp=bf16");
        bool native = Forge.Torch.Autocast.CpuHasNativeBFloat16;
        bool bf16 = TrainsInBFloat16(cfg.Amp, device, modelDtype);
        if (bf16 && !native)
            log.WriteLine("WARNING: amp=bf16: this CPU has no native bfloat16 (no amx_bf16 or avx512_bf16 in /proc/cpuinfo); libtorch emulates " +
                          "it and training is likely slower than with amp=false");
        SetDeterministic(cfg.Deterministic, device, log);
        torch.manual_seed(cfg.Seed);
        return bf16;
    }

    /// <summary>
    /// amp= as training applies it. Ultralytics' amp=True (the default) means mixed precision on CUDA and float32 elsewhere
    /// (its <c>check_amp</c>, ultralytics/utils/checks.py, turns AMP off on CPU and MPS, "AMP only used on CUDA devices"),
    /// so amp=true trains in float32 on every CPU; the setting alone decides, the same on every rank. amp=bf16 is bfloat16
    /// autocast on any CPU (emulated, slower, where not native): on CPUs that compute bfloat16 natively (AMX, AVX512-BF16)
    /// 1.35-1.8x faster, at float32's accuracy on issue 13's workload and issue 15's fine-tunes but 0.04 mAP50-95 below it on
    /// raccoon photos from scratch (bench/README.md, "amp=bf16", "amp=true" and "amp=true is float32 on CPU"). amp=false is
    /// float32. A model trained in another dtype than float32 (a float64 model, <see cref="TrainerOptions.Dtype"/>) runs in
    /// that dtype.
    /// </summary>
    /// <exception cref="ConfigException">amp=true or amp=bf16 on CUDA: Forge does not implement mixed precision there yet. amp=bf16
    /// with a model that is not float32.</exception>
    public static bool TrainsInBFloat16(string amp, Device device, ScalarType modelDtype = ScalarType.Float32)
    {
        bool off = amp.Equals("false", StringComparison.OrdinalIgnoreCase);
        if (!off && device.type == DeviceType.CUDA)
            throw new ConfigException($"amp={amp}: mixed-precision training on CUDA is not implemented in Forge yet; add amp=false to train in float32");
        bool bf16 = amp.Equals("bf16", StringComparison.OrdinalIgnoreCase);
        if (bf16 && modelDtype != ScalarType.Float32)
            throw new ConfigException($"amp=bf16 mixes bfloat16 into a float32 model, and this model trains in {modelDtype}; leave amp out or set amp=false");
        return bf16;
    }

    /// <summary>
    /// half= for val and predict of a TorchSharp model: whether the forward runs in bfloat16 autocast
    /// (<see cref="Forge.Torch.Autocast"/>). Says so on <paramref name="log"/>, with a warning where the CPU has no native bfloat16.
    /// </summary>
    /// <exception cref="ConfigException">half=true on CUDA: float16 inference is not implemented in Forge yet.</exception>
    public static bool InferenceBFloat16(ForgeConfig cfg, Device device, TextWriter log)
    {
        if (!cfg.Half) return false;
        if (device.type == DeviceType.CUDA)
            throw new ConfigException("half=true: float16 inference on CUDA is not implemented in Forge yet; leave half out to run in float32");
        log.WriteLine("half=true: the forward runs in bfloat16 autocast on the CPU (the head's outputs, decoding and NMS in float32)" +
                      (Forge.Torch.Autocast.CpuHasNativeBFloat16 ? ""
                          : "; WARNING: this CPU has no native bfloat16 (no amx_bf16 or avx512_bf16 in /proc/cpuinfo), libtorch emulates it and it is likely slower than float32"));
        return true;
    }

    /// <summary>
    /// deterministic=true: libtorch's deterministic algorithms in warn-only mode (torch.use_deterministic_algorithms(True,
    /// warn_only=True)), cuDNN's deterministic kernels (torch.backends.cudnn.deterministic) and, on CUDA,
    /// CUBLAS_WORKSPACE_CONFIG=:4096:8. false: libtorch's defaults. Either way new tensors are not filled: since torch 2.1
    /// deterministic mode also writes NaN into every tensor <c>empty</c> allocates
    /// (torch.utils.deterministic.fill_uninitialized_memory), an extra write over every tensor a step allocates (9-13% of a
    /// training epoch on 2 CPU cores, bench/README.md); Forge reads no memory it has not written, and torch 1.13, which
    /// Ultralytics 8.3.57's reference runs used, had no such fill. TorchSharp 0.107 does not implement these switches, so
    /// they are called in libtorch directly.
    /// </summary>
    public static void SetDeterministic(bool on, Device device, TextWriter log)
    {
        if (on && device.type == DeviceType.CUDA && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG")))
        {
            setenv("CUBLAS_WORKSPACE_CONFIG", CublasWorkspaceConfig, 1);   // cuBLAS reads the C library's environment
            Environment.SetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG", CublasWorkspaceConfig);
        }
        try
        {
            var context = AtenContext.Global();
            AtenContext.SetDeterministicAlgorithms(context, on, warnOnly: true);
            AtenContext.SetDeterministicCuDNN(context, on);
            DeterministicAlgorithms = on;
            StopFillingNewTensors(context);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            log.WriteLine($"WARNING: deterministic={(on ? "true" : "false")} could not be applied: this libtorch does not export at::Context's " +
                          $"determinism switches ({e.Message}); algorithms are libtorch's defaults");
        }
    }

    /// <summary>
    /// Turns libtorch's NNPACK convolution backend off on a CPU whose CPUID describes no data caches
    /// (<see cref="Forge.Torch.ChannelsLastCheck.CpuDescribesCaches"/>): NNPACK cannot start there, and libtorch asks it again,
    /// printing "Could not initialize NNPACK! Reason: Unsupported hardware.", for every convolution it does not give to oneDNN
    /// (small single images in predict: 42 lines per image at 320 px, 4,200 in the demo's predict of 100 images). Nothing runs
    /// differently: NNPACK was unusable there anyway. Elsewhere libtorch's default stands (torch.backends.nnpack).
    /// </summary>
    /// <returns>Whether NNPACK was turned off.</returns>
    public static bool DisableNnpackWhereItCannotStart()
    {
        if (Forge.Torch.ChannelsLastCheck.CpuDescribesCaches) return false;
        try
        {
            AtenContext.SetUserEnabledNnpack(AtenContext.Global(), false);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Whether libtorch may use NNPACK (torch.backends.nnpack.enabled).</summary>
    public static bool NnpackEnabled => AtenContext.UserEnabledNnpack(AtenContext.Global());

    /// <summary>libtorch's own state: deterministic algorithms on (torch.are_deterministic_algorithms_enabled()), and warn-only.</summary>
    public static (bool On, bool WarnOnly) LibtorchDeterministicAlgorithms
    {
        get
        {
            var context = AtenContext.Global();
            return (AtenContext.DeterministicAlgorithmsOn(context), AtenContext.DeterministicAlgorithmsWarnOnly(context));
        }
    }

    /// <summary>Whether deterministic mode NaN-fills the tensors <c>empty</c> allocates (false where this libtorch predates the switch).</summary>
    public static bool FillsNewTensors
    {
        get
        {
            try { return AtenContext.DeterministicFillUninitializedMemory(AtenContext.Global()); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
        }
    }

    static void StopFillingNewTensors(IntPtr context)
    {
        try { AtenContext.SetDeterministicFillUninitializedMemory(context, false); }
        catch (EntryPointNotFoundException) { }   // libtorch before 2.1: no fill to turn off
    }

    /// <summary>
    /// "deterministic=true  amp=off (cpu)" or "... amp=bf16 (cpu)" for the start-up line. amp=true on a CPU with native bfloat16
    /// points to amp=bf16 ("amp=off (cpu; amp=bf16 would train in native bfloat16)"); amp=bf16 on one without says it is
    /// emulated ("amp=bf16 (cpu, emulated)").
    /// </summary>
    public static string Describe(string ampSetting, bool bf16, Device device, bool cpuHasNativeBFloat16)
    {
        bool cpu = device.type == DeviceType.CPU;
        string amp = !cpu ? "off"
            : bf16 ? (cpuHasNativeBFloat16 ? "bf16 (cpu)" : "bf16 (cpu, emulated)")
            : ampSetting.Equals("true", StringComparison.OrdinalIgnoreCase) && cpuHasNativeBFloat16 ? "off (cpu; amp=bf16 would train in native bfloat16)"
            : "off (cpu)";
        return $"deterministic={DeterministicAlgorithms switch { true => "true", false => "false", null => "unknown" }}  amp={amp}";
    }

    [DllImport("libc")] static extern int setenv(string name, string value, int overwrite);

    /// <summary>libtorch's global ATen context (C++ member functions: the context is passed as the first argument).</summary>
    static class AtenContext
    {
        const string Library = "libtorch_cpu";

        [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
        public static extern IntPtr Global();

        [DllImport(Library, EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
        public static extern void SetDeterministicAlgorithms(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on, [MarshalAs(UnmanagedType.U1)] bool warnOnly);

        [DllImport(Library, EntryPoint = "_ZN2at7Context21setDeterministicCuDNNEb")]
        public static extern void SetDeterministicCuDNN(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

        [DllImport(Library, EntryPoint = "_ZN2at7Context39setDeterministicFillUninitializedMemoryEb")]
        public static extern void SetDeterministicFillUninitializedMemory(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        public static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool on);

        [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool UserEnabledNnpack(IntPtr context);

        [DllImport(Library, EntryPoint = "_ZNK2at7Context23deterministicAlgorithmsEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool DeterministicAlgorithmsOn(IntPtr context);

        [DllImport(Library, EntryPoint = "_ZNK2at7Context31deterministicAlgorithmsWarnOnlyEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool DeterministicAlgorithmsWarnOnly(IntPtr context);

        [DllImport(Library, EntryPoint = "_ZNK2at7Context36deterministicFillUninitializedMemoryEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool DeterministicFillUninitializedMemory(IntPtr context);
    }
}
