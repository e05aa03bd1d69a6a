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
    /// Seeds the tensor library's generator with seed=, applies deterministic= (<see cref="SetDeterministic"/>) and decides amp=.
    /// </summary>
    /// <returns>Whether mixed precision is used: never on CPU (Ultralytics turns AMP off on CPU).</returns>
    /// <exception cref="ConfigException">amp=true on CUDA: Forge does not implement mixed precision yet.</exception>
    public static bool Configure(ForgeConfig cfg, Device device, TextWriter log)
    {
        if (cfg.Amp && device.type == DeviceType.CUDA)
            throw new ConfigException("amp=true: mixed-precision training on CUDA is not implemented in Forge yet; add amp=false to train in float32");
        SetDeterministic(cfg.Deterministic, device, log);
        torch.manual_seed(cfg.Seed);
        return false;
    }

    /// <summary>
    /// deterministic=true: libtorch's deterministic algorithms in warn-only mode (torch.use_deterministic_algorithms(True,
    /// warn_only=True), which also fills uninitialised memory so reads of it are reproducible), cuDNN's deterministic kernels
    /// (torch.backends.cudnn.deterministic) and, on CUDA, CUBLAS_WORKSPACE_CONFIG=:4096:8. false: libtorch's defaults.
    /// TorchSharp 0.107 does not implement these switches, so they are called in libtorch directly.
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
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            log.WriteLine($"WARNING: deterministic={(on ? "true" : "false")} could not be applied: this libtorch does not export at::Context's " +
                          $"determinism switches ({e.Message}); algorithms are libtorch's defaults");
        }
    }

    /// <summary>"deterministic=true amp=off (cpu)" for the start-up line.</summary>
    public static string Describe(bool amp, Device device) =>
        $"deterministic={DeterministicAlgorithms switch { true => "true", false => "false", null => "unknown" }}  " +
        $"amp={(amp ? "on" : device.type == DeviceType.CPU ? "off (cpu)" : "off")}";

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
    }
}
