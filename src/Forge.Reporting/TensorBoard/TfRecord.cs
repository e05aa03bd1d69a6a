using System.Buffers.Binary;

namespace Forge.Reporting.TensorBoard;

/// <summary>
/// TFRecord framing (TensorFlow's record_writer): uint64 length, uint32 masked CRC-32C of the length bytes, the data, uint32
/// masked CRC-32C of the data, all little-endian. The mask is TensorFlow's crc32c::Mask: ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) +
/// 0xa282ead8. CRC-32C (Castagnoli) comes from System.IO.Hashing.
/// </summary>
public static class TfRecord
{
    const uint MaskDelta = 0xa282ead8;

    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>Every record's data, after checking both CRCs.</summary>
    /// <exception cref="InvalidDataException">A truncated record or a CRC mismatch, naming <paramref name="name"/> and the offset.</exception>
    public static IEnumerable<byte[]> ReadAll(Stream stream, string name)
    {
        var header = new byte[12];
        var footer = new byte[4];
        while (true)
        {
            long offset = stream.Position;
            int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (got == 0) yield break;
            if (got < header.Length) throw new InvalidDataException($"{name}: truncated record header at byte {offset}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != MaskedCrc(header.AsSpan(0, 8)))
                throw new InvalidDataException($"{name}: length CRC mismatch at byte {offset}");
            if (length > int.MaxValue) throw new InvalidDataException($"{name}: record length {length} at byte {offset} is implausible");
            var data = new byte[length];
            if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length
                || stream.ReadAtLeast(footer, 4, throwOnEndOfStream: false) < 4)
                throw new InvalidDataException($"{name}: truncated record at byte {offset}");
            if (BinaryPrimitives.ReadUInt32LittleEndian(footer) != MaskedCrc(data))
                throw new InvalidDataException($"{name}: data CRC mismatch in the record at byte {offset}");
            yield return data;
        }
    }

    /// <summary>CRC-32C of <paramref name="data"/>, masked as TensorFlow stores it.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + MaskDelta;
    }

    /// <summary>CRC-32C (Castagnoli, as iSCSI and TFRecord use): check value 0xE3069283 for "123456789".</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = new System.IO.Hashing.Crc32(System.IO.Hashing.Crc32ParameterSet.Crc32C);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }
}
