using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>Gives collectives host bytes for any tensor: CPU contiguous tensors are used in place, others go through a CPU copy.</summary>
internal static class HostStaging
{
    public delegate void BytesAction(Span<byte> bytes);

    /// <summary>Runs <paramref name="action"/> on the tensor's bytes; when <paramref name="writeBack"/>, changes reach the tensor.</summary>
    public static void WithBytes(Tensor tensor, bool writeBack, BytesAction action)
    {
        CheckSize(tensor);
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
        {
            action(tensor.bytes);
            return;
        }
        using var scope = NewDisposeScope();   // frees the intermediate detach/to/contiguous tensors
        var host = tensor.detach().to(DeviceType.CPU).contiguous();
        action(host.bytes);
        if (writeBack)
        {
            using var _ = no_grad();
            tensor.copy_(host);
        }
    }

    /// <summary>The tensor's content as a span of <typeparamref name="T"/> when it already lives contiguously on the CPU.</summary>
    public static Span<T> CpuSpan<T>(Tensor tensor) where T : unmanaged
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new InvalidOperationException("internal: expected a contiguous CPU tensor");
        return MemoryMarshal.Cast<byte, T>(tensor.bytes);
    }

    public static void CheckSize(Tensor tensor)
    {
        if (tensor.NumberOfElements * tensor.ElementSize > int.MaxValue)
            throw new NotSupportedException($"a {tensor.NumberOfElements * tensor.ElementSize / (1 << 20)} MiB tensor is beyond one 2 GiB collective; split it.");
    }
}
