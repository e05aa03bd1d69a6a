using System.Runtime.InteropServices;
using Forge.Data.Loading;
using Forge.Models.Loss;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Moves a loader batch into tensors on the training device.</summary>
public static class BatchTensors
{
    /// <summary>
    /// (B, 3, H, W) images in [0, 1] on <paramref name="device"/>, as <paramref name="dtype"/> (default float32). Copies the
    /// pixels, so the batch can be disposed (its array reused) right after.
    /// </summary>
    public static Tensor Images(Batch batch, Device device, ScalarType dtype = ScalarType.Float32)
    {
        var t = empty([batch.Size, 3, batch.Height, batch.Width], ScalarType.Float32);
        MemoryMarshal.AsBytes(batch.Images.AsSpan()).CopyTo(t.bytes);
        if (dtype != ScalarType.Float32) t = t.to(dtype, disposeAfter: true);
        return device.type == DeviceType.CPU ? t : t.to(device, disposeAfter: true);
    }

    public static TargetBatch Targets(Batch batch, Device device) =>
        new(batch.Targets, batch.TargetCount, batch.Size, batch.Width, batch.Height, device);
}
