using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Turns the device setting (cpu, cuda, cuda:N) into a torch device, with an actionable error when CUDA is missing.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// The torch device for device= (cpu, cuda, cuda:N, or Ultralytics' N / N,M: a process uses the first GPU of a list; train
    /// starts one rank per listed GPU).
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA is not available to this build or machine, or the GPU does not exist.</exception>
    public static Device Resolve(string setting)
    {
        var ids = Forge.Core.Config.ForgeConfig.ParseCudaDevices(setting);
        if (ids.Count == 0) return CPU;
        RequireCuda(setting, ids);
        return new Device(DeviceType.CUDA, ids[0]);
    }

    /// <summary>Checks that CUDA is available and that every GPU index in <paramref name="ids"/> exists.</summary>
    /// <exception cref="InvalidOperationException">It is not (the message says what to do).</exception>
    public static void RequireCuda(string setting, IReadOnlyList<int> ids)
    {
        if (!cuda.is_available())
            throw new InvalidOperationException(
                $"device={setting} asks for CUDA GPU {string.Join(", ", ids)}, but CUDA is not available to this build on this machine. " +
                "Forge builds against the CPU libtorch by default: on a machine with NVIDIA GPUs build with '-p:ForgeTorchBackend=cuda' " +
                "(needs the libtorch-cuda-12.8 NuGet package reachable) and check 'nvidia-smi'; or use device=cpu.");
        int count = cuda.device_count();
        var missing = ids.Where(i => i >= count).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"device={setting}: GPU {string.Join(", ", missing)} does not exist; {count} CUDA device(s) are visible (0..{count - 1})");
    }

    /// <summary>
    /// The host process's settings for training, validation and prediction: intra-op threads (<see cref="ConfigureThreads"/>),
    /// glibc malloc keeping a step's large tensors in its heap (<see cref="ProcessMemory.KeepLargeBlocksInHeap"/>), and NNPACK off
    /// where it cannot start (<see cref="TensorLibrary.DisableNnpackWhereItCannotStart"/>).
    /// </summary>
    public static void ConfigureHost(int requestedThreads, int processesOnThisMachine = 1)
    {
        ConfigureThreads(requestedThreads, processesOnThisMachine);
        ProcessMemory.KeepLargeBlocksInHeap();
        TensorLibrary.DisableNnpackWhereItCannotStart();
    }

    /// <summary>Intra-op threads: the setting, or every core of this machine shared evenly by the processes on it.</summary>
    public static void ConfigureThreads(int requested, int processesOnThisMachine = 1) =>
        torch.set_num_threads(IntraOpThreads(requested, processesOnThisMachine));

    /// <summary>The threads setting as a count: <paramref name="requested"/> when above 0, else the cores this process may use
    /// (<see cref="Environment.ProcessorCount"/>) shared evenly by the processes on this machine, at least one.</summary>
    public static int IntraOpThreads(int requested, int processesOnThisMachine = 1) =>
        requested > 0 ? requested : Math.Max(1, Environment.ProcessorCount / Math.Max(1, processesOnThisMachine));
}
