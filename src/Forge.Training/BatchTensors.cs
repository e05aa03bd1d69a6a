using Forge.Data.Loading;
using Forge.Models.Loss;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Moves a loader batch into tensors on the training device.</summary>
public static class BatchTensors
{
    /// <summary>
    /// (B, 3, H, W) images in [0, 1] on <paramref name="device"/>, as <paramref name="dtype"/> (default float32): the batch's
    /// uint8 pixels go to the device as they are (a quarter of float32's bytes) and become <c>v / 255f</c> there, in float32
    /// and then cast, as Ultralytics' <c>batch["img"].float() / 255</c>. Bitwise the same as dividing each value by 255f on
    /// the CPU. Copies the pixels, so the batch can be disposed (its array reused) right after.
    /// </summary>
    public static Tensor Images(Batch batch, Device device, ScalarType dtype = ScalarType.Float32)
    {
        var t = empty([batch.Size, 3, batch.Height, batch.Width], ScalarType.Byte);
        batch.Images.AsSpan().CopyTo(t.bytes);
        if (device.type != DeviceType.CPU) t = t.to(device, disposeAfter: true);
        t = t.to(ScalarType.Float32, disposeAfter: true);
        // The divisor is a 0-dim tensor on the device, not a Scalar: CUDA multiplies by the reciprocal when the divisor is a
        // CPU scalar, which is one bit off x / 255f for 126 of the 256 byte values; a device tensor gets the true division.
        using var divisor = HeldScalars.Full([], 255, ScalarType.Float32, device);
        t.div_(divisor);
        return dtype == ScalarType.Float32 ? t : t.to(dtype, disposeAfter: true);
    }

    public static TargetBatch Targets(Batch batch, Device device) =>
        new(batch.Targets, batch.TargetCount, batch.Size, batch.Width, batch.Height, device);
}
