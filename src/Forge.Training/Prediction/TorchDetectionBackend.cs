using Forge.Data.Inference;
using Forge.Models;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Prediction;

/// <summary>A TorchSharp detector as an <see cref="IDetectionBackend"/>: forward and decode on its device in eval mode, result on the CPU.
/// The model stays the caller's (not disposed here).</summary>
/// <param name="channelsLast">Run channels_last: folded weights and the input in NHWC strides (the channels_last setting), unless
/// libtorch cannot run the model so on this CPU (<see cref="ChannelsLastSetting"/>: then NCHW, with a warning on standard error).</param>
/// <param name="bfloat16">Run the forward in bfloat16 autocast (half=true on CPU; <see cref="TensorLibrary.InferenceBFloat16"/>).</param>
/// <remarks>Each <see cref="Forward"/> folds the BatchNorms into the convolutions for its own pass (YOLOv8n: 1.4-4.7 ms, median, on a
/// 2-core VM), so it sees the weights as they are; inside <see cref="BeginRun"/> the fold is made once and kept.</remarks>
public sealed class TorchDetectionBackend(YoloDetector model, Device device, bool channelsLast = false, bool bfloat16 = false) : IDetectionBackend
{
    readonly bool channelsLast = ChannelsLastSetting.Resolve(channelsLast, model, device, log: null);
    IDisposable? runFold;   // the fold kept by an open run (BeginRun)

    /// <summary>Whether the forward runs channels_last: the setting as <see cref="ChannelsLastSetting"/> resolved it on this CPU.</summary>
    public bool RunsChannelsLast => channelsLast;

    public int NumClasses => model.NumClasses;
    public int Stride { get; } = model.Strides.Max();
    /// <summary>Null: the model takes any multiple of its stride.</summary>
    public (int Height, int Width)? FixedInputSize => null;

    public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
    {
        float[]? output = null;
        Forward(images, batch, height, width, ref output, out anchors);
        return output!;
    }

    public int Forward(float[] images, int batch, int height, int width, ref float[]? output, out int anchors)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        using var fused = runFold is null ? model.FuseForInference(channelsLast) : null;   // BatchNorm folded into the convolutions for this batch
        long length = (long)batch * 3 * height * width;
        if (images.Length < length) throw new ArgumentException($"images has {images.Length} floats, fewer than {batch}x3x{height}x{width}", nameof(images));
        var x = empty([batch, 3, height, width]);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(images.AsSpan(0, (int)length)).CopyTo(x.bytes);
        x = x.to(device);
        if (channelsLast) x = ChannelsLast.Of(x);
        Tensor raw;
        using (bfloat16 ? Autocast.BFloat16() : null)
            raw = model.forward(x);
        var decoded = model.Decode(raw, height, width).to(CPU).contiguous();
        anchors = (int)decoded.shape[2];
        return HostArrays.CopyFloats(decoded, ref output);
    }

    /// <summary>Folds the BatchNorms once for the forwards until the handle is disposed; the weights must not change meanwhile.</summary>
    /// <exception cref="InvalidOperationException">A run is already open on this backend.</exception>
    public IDisposable BeginRun()
    {
        if (runFold is not null) throw new InvalidOperationException("a run is already open on this backend: dispose it first");
        runFold = model.FuseForInference(channelsLast);
        return new RunEnd(this);
    }

    sealed class RunEnd(TorchDetectionBackend backend) : IDisposable
    {
        public void Dispose()
        {
            backend.runFold?.Dispose();
            backend.runFold = null;
        }
    }
}
