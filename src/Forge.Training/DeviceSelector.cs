using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Turns the device setting (cpu, cuda, cuda:N) into a torch device, with an actionable error when CUDA is missing.</summary>
public static class DeviceSelector
{
    public static Device Resolve(string setting)
    {
        if (setting == "cpu") return CPU;
        if (!cuda.is_available())
            throw new InvalidOperationException(
                $"device={setting} was asked for, but CUDA is not available to this build. Forge builds against the CPU libtorch " +
                "by default: on a machine with NVIDIA GPUs build with '-p:ForgeTorchBackend=cuda' (needs the libtorch-cuda-12.8 " +
                "NuGet package reachable) and check 'nvidia-smi'; or use device=cpu.");
        int index = setting == "cuda" ? 0 : int.Parse(setting["cuda:".Length..]);
        int count = cuda.device_count();
        if (index >= count) throw new InvalidOperationException($"device={setting}: only {count} CUDA device(s) are visible (cuda:0..cuda:{count - 1})");
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>Intra-op threads: the setting, or every core of this machine shared evenly by the processes on it.</summary>
    public static void ConfigureThreads(int requested, int processesOnThisMachine = 1)
    {
        int threads = requested > 0 ? requested : Math.Max(1, Environment.ProcessorCount / Math.Max(1, processesOnThisMachine));
        torch.set_num_threads(threads);
    }
}
