using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// The channels_last setting as val, predict and training's validation apply it (training steps run NCHW,
/// <see cref="TrainingSession"/>): on when asked. Convolution shapes that libtorch computes
/// wrongly channels_last on this CPU (<see cref="ChannelsLastCheck.WrongShapes"/>) run NCHW inside the channels_last model
/// (<see cref="NchwConvolutions"/>), with one note per process; where the shapes cannot be tried at all
/// (<see cref="ChannelsLastCheck.TryWrongShapes"/>) the process runs NCHW, as channels_last=false does,
/// and says so once.
/// </summary>
public static class ChannelsLastSetting
{
    static int warned, noted;

    /// <param name="requested">The channels_last setting.</param>
    /// <param name="model">The model about to run (its Conv2d shapes are checked and the wrong ones marked; CUDA models are
    /// not checked: the check is of libtorch's CPU kernels).</param>
    /// <param name="log">Where the warning or note goes (standard error when null).</param>
    /// <returns>Whether to run channels_last.</returns>
    public static bool Resolve(bool requested, nn.Module model, Device device, TextWriter? log)
    {
        if (!requested || device.type != DeviceType.CPU) return requested;
        if (ChannelsLastCheck.TryWrongShapes(model, out string? untried) is not { } wrong) return RunNchw(untried!, log);
        if (wrong.Count > 0 && NchwConvolutions.Mark(model, wrong) > 0 && Interlocked.Exchange(ref noted, 1) == 0)
            (log ?? Console.Error).WriteLine($"channels_last on {CpuModel()}: {ChannelsLastCheck.WrongShapesText(wrong)}. Those convolutions " +
                                             "run NCHW, the others channels_last.");
        return true;
    }

    static bool RunNchw(string problem, TextWriter? log)
    {
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
