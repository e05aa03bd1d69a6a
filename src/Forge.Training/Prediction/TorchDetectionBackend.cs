using Forge.Data.Inference;
using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Prediction;

/// <summary>A TorchSharp detector as an <see cref="IDetectionBackend"/>: forward and decode on its device in eval mode, result on the CPU.
/// The model stays the caller's (not disposed here).</summary>
public sealed class TorchDetectionBackend(YoloDetector model, Device device) : IDetectionBackend
{
    public int NumClasses => model.NumClasses;
    public int Stride { get; } = model.Strides.Max();
    /// <summary>Null: the model takes any multiple of its stride.</summary>
    public (int Height, int Width)? FixedInputSize => null;

    public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        using var fused = model.FuseForInference();   // BatchNorm folded into the convolutions for this batch
        var x = tensor(images, [batch, 3, height, width]).to(device);
        var decoded = model.Decode(model.forward(x), height, width).to(CPU).contiguous();
        anchors = (int)decoded.shape[2];
        return decoded.data<float>().ToArray();
    }
}
