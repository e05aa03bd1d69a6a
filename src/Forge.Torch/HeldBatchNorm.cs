using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// TorchSharp's <see cref="BatchNorm"/>.forward, with its batch counter advanced by a held Scalar.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's BatchNorm.forward counts training batches with <c>num_batches_tracked.add_(1)</c>: an implicit Scalar
/// plus the hidden alpha of <c>add_(Scalar)</c>, both collectable while libtorch reads them (see <see cref="HeldScalars"/>);
/// a YOLOv8n training step runs 57 of them. Measured failure under GC pressure: "For integral input tensors, argument alpha
/// must not be a floating point number". Everything else is the same computation (functional batch_norm, same arguments).
/// </remarks>
public static class HeldBatchNorm
{
    /// <summary>Normalises <paramref name="input"/> (N, C, H, W) with <paramref name="norm"/>'s statistics and affine parameters,
    /// updating its running statistics and batch count in training mode, exactly as <c>norm.forward(input)</c>.</summary>
    public static Tensor Forward(BatchNorm norm, Tensor input)
    {
        double factor = CountBatch(norm);
        bool batchStatistics = norm.training || (norm.running_mean is null && norm.running_var is null);
        bool runningStatistics = !norm.training || norm.track_running_stats;
        return nn.functional.batch_norm(input, runningStatistics ? norm.running_mean : null, runningStatistics ? norm.running_var : null,
            norm.weight, norm.bias, batchStatistics, factor, norm.eps);
    }

    /// <summary>
    /// In training mode with running statistics, advances <paramref name="norm"/>'s batch count (with held Scalars); returns the
    /// factor of this batch in the running statistics: the momentum, or 1/count without one (cumulative average, as TorchSharp).
    /// </summary>
    public static double CountBatch(BatchNorm norm)
    {
        double factor = norm.momentum ?? 0.0;
        if (norm.training && norm.track_running_stats && norm.num_batches_tracked is { } tracked)
        {
            tracked.add_(HeldScalars.One, HeldScalars.One);
            if (norm.momentum is null) factor = 1.0 / tracked.item<long>();
        }
        return factor;
    }
}
