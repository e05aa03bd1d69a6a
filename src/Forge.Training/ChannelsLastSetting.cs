using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// The channels_last setting as train, val and predict apply it: on when asked, unless libtorch cannot run the model's
/// convolutions channels_last on this CPU (<see cref="ChannelsLastCheck.Problem"/>); then the process runs NCHW, as
/// channels_last=false does, and says so once.
/// </summary>
public static class ChannelsLastSetting
{
    static int warned;

    /// <param name="requested">The channels_last setting.</param>
    /// <param name="model">The model about to run (its Conv2d shapes are checked; CUDA models are not: the check is of libtorch's CPU kernels).</param>
    /// <param name="log">Where the warning goes (standard error when null).</param>
    /// <returns>Whether to run channels_last.</returns>
    public static bool Resolve(bool requested, nn.Module model, Device device, TextWriter? log)
    {
        if (!requested || device.type != DeviceType.CPU) return requested;
        if (ChannelsLastCheck.Problem(model) is not { } problem) return true;
        if (Interlocked.Exchange(ref warned, 1) == 0)
            (log ?? Console.Error).WriteLine($"WARNING: channels_last=true on {CpuModel()}: {problem}. This process runs NCHW, as channels_last=false " +
                                             "does (correct results, about 10-25% slower on CPU); add channels_last=false to skip the check.");
        return false;
    }

    static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown model" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown model"; }
    }
}
