using System.Runtime.InteropServices;
using Forge.Core.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Checkpoints;

/// <summary>Conversion between tensors and the byte records of a safetensors file.</summary>
public static class TensorRecords
{
    public static TensorRecord FromTensor(string name, Tensor t)
    {
        using var scope = NewDisposeScope();
        var cpu = t.detach().to(CPU).contiguous();
        return new TensorRecord(name, DTypeName(cpu.dtype, name), cpu.shape, cpu.bytes.ToArray());
    }

    /// <summary>The safetensors name of a tensor element type.</summary>
    public static string DTypeName(ScalarType type, string tensorName) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"tensor '{tensorName}': dtype {type} cannot be stored"),
    };

    public static Tensor ToTensor(TensorRecord r, Device? device = null)
    {
        Tensor t = r.DType switch
        {
            "F32" => tensor(MemoryMarshal.Cast<byte, float>(r.Data).ToArray(), r.Shape),
            "F64" => tensor(MemoryMarshal.Cast<byte, double>(r.Data).ToArray(), r.Shape),
            "I64" => tensor(MemoryMarshal.Cast<byte, long>(r.Data).ToArray(), r.Shape),
            "I32" => tensor(MemoryMarshal.Cast<byte, int>(r.Data).ToArray(), r.Shape),
            "I16" => tensor(MemoryMarshal.Cast<byte, short>(r.Data).ToArray(), r.Shape),
            "I8" => tensor(MemoryMarshal.Cast<byte, sbyte>(r.Data).ToArray(), r.Shape),
            "U8" => tensor(r.Data.ToArray(), r.Shape),
            "BOOL" => tensor(r.Data.Select(b => b != 0).ToArray(), r.Shape),
            // Half types are widened through float32 and narrowed back: exact, since both are subsets of float32.
            "F16" => tensor(MemoryMarshal.Cast<byte, Half>(r.Data).ToArray().Select(h => (float)h).ToArray(), r.Shape).to(ScalarType.Float16, disposeAfter: true),
            "BF16" => tensor(MemoryMarshal.Cast<byte, ushort>(r.Data).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(), r.Shape).to(ScalarType.BFloat16, disposeAfter: true),
            _ => throw new InvalidDataException($"tensor '{r.Name}': unsupported dtype {r.DType}"),
        };
        return device is null || device.type == DeviceType.CPU ? t : t.to(device, disposeAfter: true);
    }
}
