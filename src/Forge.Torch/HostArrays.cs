using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>Tensor values copied into .NET arrays.</summary>
public static class HostArrays
{
    /// <summary>
    /// The values of a float32 CPU tensor as a new array, in row-major (contiguous) order: one block copy of its storage.
    /// TorchSharp's <c>data&lt;float&gt;().ToArray()</c> reads element by element: a decoded 640 px prediction (84 x 5880
    /// floats) took 2.7 ms that way against 0.14 ms (medians, 2-core VM, bench/README.md eleventh session).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not float32 or not on the CPU.</exception>
    public static float[] Floats(Tensor t)
    {
        float[]? values = null;   // CopyFloats makes an array of exactly the tensor's size
        CopyFloats(t, ref values);
        return values!;
    }

    /// <summary>
    /// Copies a float32 CPU tensor's values (row-major order) to the start of <paramref name="buffer"/>, which is replaced by
    /// an array of exactly the tensor's size when it is null or too short; returns how many floats were written. For a
    /// caller that reads each result before the next: a validation batch's decoded output at 640 px (16 x 84 x 8400 floats,
    /// 45 MB) in a new array per batch cost ~8 ms per image in page faults on a 2-core VM (bench/README.md, eleventh session).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not float32 or not on the CPU.</exception>
    public static int CopyFloats(Tensor t, ref float[]? buffer)
    {
        using var c = ContiguousFloats(t);
        var values = MemoryMarshal.Cast<byte, float>(c.bytes);
        if (buffer is null || buffer.Length < values.Length) buffer = GC.AllocateUninitializedArray<float>(values.Length);
        values.CopyTo(buffer);
        return values.Length;
    }

    /// <summary>A contiguous handle on <paramref name="t"/>'s values (an alias when it is contiguous, else a copy); the caller disposes it.</summary>
    static Tensor ContiguousFloats(Tensor t)
    {
        if (t.dtype != ScalarType.Float32 || t.device_type != DeviceType.CPU)
            throw new ArgumentException($"expected a float32 CPU tensor, got {t.dtype} on {t.device}", nameof(t));
        return t.is_contiguous() ? t.alias() : t.contiguous();
    }
}
