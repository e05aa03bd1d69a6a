using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.Core.Serialization;

/// <summary>A tensor to write: name, dtype name ("F32", "I64", ...), shape and its raw little-endian bytes, wherever they live.</summary>
public interface ITensorBytes
{
    string Name { get; }
    string DType { get; }
    long[] Shape { get; }
    ReadOnlySpan<byte> Bytes { get; }
}

/// <summary>One tensor of a safetensors file held in a managed array (what reading a file gives).</summary>
public sealed record TensorRecord(string Name, string DType, long[] Shape, byte[] Data) : ITensorBytes
{
    public ReadOnlySpan<byte> Bytes => Data;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new InvalidDataException($"unsupported safetensors dtype '{dtype}'"),
    };
}

/// <summary>
/// Reader and writer of the safetensors format (8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data). Code-free by design: loading never executes anything, and other tools
/// (Python's safetensors, Netron) read the same files. String metadata goes in the header's "__metadata__" map.
/// </summary>
public static class SafeTensorsFile
{
    const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Metadata key of the SHA-256 of the data section, written by <see cref="Serialize"/> and checked by <see cref="Deserialize"/>.</summary>
    public const string ChecksumKey = "forge.sha256";

    public static byte[] Serialize(IReadOnlyList<TensorRecord> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes a safetensors image to <paramref name="stream"/> straight from each tensor's bytes (no intermediate copy of the
    /// data), with the SHA-256 of the data section in the metadata.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<ITensorBytes> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        if (metadata is not null)
            foreach (var (k, v) in metadata) meta[k] = v;
        meta[ChecksumKey] = DataChecksum(tensors);
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var t in tensors)
        {
            long elements = t.Shape.Aggregate(1L, (a, b) => a * b);
            long expected = elements * TensorRecord.ElementSize(t.DType);
            int length = t.Bytes.Length;
            if (expected != length)
                throw new ArgumentException($"tensor '{t.Name}': {length} bytes for shape [{string.Join(",", t.Shape)}] of {t.DType}, expected {expected}");
            if (header.ContainsKey(t.Name)) throw new ArgumentException($"tensor name '{t.Name}' appears twice");
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + length)),
            };
            offset += length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;   // align the data section to 8 bytes; the format pads with spaces
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var t in tensors) stream.Write(t.Bytes);
    }

    /// <summary>Parses a safetensors image. Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> on any inconsistency.</summary>
    public static (List<TensorRecord> Tensors, Dictionary<string, string> Metadata) Deserialize(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{source}: file is {bytes.Length} bytes, too short for a safetensors header");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, bytes.Length - 8))
            throw new InvalidDataException($"{source}: header length {headerLength} exceeds the file size ({bytes.Length} bytes); the file is truncated or not safetensors");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.Slice(8, (int)headerLength)) as JsonObject
                     ?? throw new InvalidDataException($"{source}: header is not a JSON object");
            _ = header.Count;   // JsonObject builds its dictionary lazily: a name given twice throws here, not later
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        { throw new InvalidDataException($"{source}: header is not valid JSON ({e.Message})", e); }

        var dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorRecord>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject map) throw new InvalidDataException($"{source}: __metadata__ must be a map of strings");
                foreach (var (k, v) in map)
                    metadata[k] = v is null ? ""
                        : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
                        : throw new InvalidDataException($"{source}: metadata '{k}' is {v.GetValueKind()}, expected a string");
                continue;
            }
            try
            {
                var o = node!.AsObject();
                string dtype = o["dtype"]!.GetValue<string>();
                long[] shape = o["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                var offs = o["data_offsets"]!.AsArray();
                long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
                if (begin < 0 || end < begin || end > dataLength)
                    throw new InvalidDataException($"byte range [{begin}, {end}) lies outside the data section ({dataLength} bytes): the file is truncated or corrupted");
                var rec = new TensorRecord(name, dtype, shape, bytes.Slice((int)(dataStart + begin), (int)(end - begin)).ToArray());
                if (rec.ElementCount * TensorRecord.ElementSize(dtype) != rec.Data.Length)
                    throw new InvalidDataException($"shape [{string.Join(",", shape)}] of {dtype} does not match its {rec.Data.Length} bytes");
                tensors.Add(rec);
            }
            catch (Exception e) when (e is not InvalidDataException || !e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{source}: tensor '{name}': {e.Message}", e);
            }
        }
        if (metadata.TryGetValue(ChecksumKey, out var expectedSum))
        {
            var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes[(int)dataStart..]));
            if (!string.Equals(actual, expectedSum, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{source}: checksum mismatch (data section hashes to {actual[..12]}..., header says {expectedSum[..Math.Min(12, expectedSum.Length)]}...); the file is corrupted");
        }
        return (tensors, metadata);
    }

    static string DataChecksum(IReadOnlyList<ITensorBytes> tensors)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var t in tensors) sha.AppendData(t.Bytes);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
