using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Forge.Core.Serialization;

namespace Forge.Core.Tests.Serialization;

/// <summary>
/// <see cref="SafeTensorsFile"/> against the safetensors layout: u64 little-endian header size, a JSON header of
/// {name: {dtype, shape, data_offsets}} plus "__metadata__", then the concatenated raw data.
/// </summary>
public class SafeTensorsFileTests
{
    const string Source = "unit/test.safetensors";

    static byte[] RandomBytes(Random rng, int n, bool asBool = false)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        if (asBool) for (int i = 0; i < n; i++) b[i] &= 1;
        return b;
    }

    /// <summary>One tensor of every dtype, including a scalar, a zero-size tensor and odd byte counts that break alignment.</summary>
    static List<TensorRecord> MixedTensors()
    {
        var rng = new Random(1234);
        return
        [
            new("weights", "F32", [2, 3], RandomBytes(rng, 24)),
            new("scalar", "F64", [], RandomBytes(rng, 8)),
            new("steps", "I64", [4], RandomBytes(rng, 32)),
            new("empty", "I32", [0, 5], []),
            new("pixels", "U8", [3, 1, 3], RandomBytes(rng, 9)),
            new("mask", "BOOL", [5], RandomBytes(rng, 5, asBool: true)),
            new("half", "F16", [2, 2], RandomBytes(rng, 8)),
            new("brain", "BF16", [3], RandomBytes(rng, 6)),
            new("small", "I8", [1, 1, 1, 1], RandomBytes(rng, 1)),
            new("short", "I16", [3], RandomBytes(rng, 6)),
            new("ushort", "U16", [1], RandomBytes(rng, 2)),
            new("uint", "U32", [2], RandomBytes(rng, 8)),
            new("ulong", "U64", [1, 2], RandomBytes(rng, 16)),
            new("int scalar", "I32", [], RandomBytes(rng, 4)),
        ];
    }

    [Fact]
    public void RoundTripKeepsNamesDtypesShapesBytesAndOrder()
    {
        var tensors = MixedTensors();
        var bytes = SafeTensorsFile.Serialize(tensors);
        var (back, _) = SafeTensorsFile.Deserialize(bytes, Source);

        Assert.Equal(tensors.Count, back.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Equal(tensors[i].Name, back[i].Name);
            Assert.Equal(tensors[i].DType, back[i].DType);
            Assert.Equal(tensors[i].Shape, back[i].Shape);
            Assert.Equal(tensors[i].Data, back[i].Data);
        }
        Assert.Equal(1, back.Single(t => t.Name == "scalar").ElementCount);
        Assert.Equal(0, back.Single(t => t.Name == "empty").ElementCount);
    }

    [Fact]
    public void LayoutIsStandardSafetensors()
    {
        var tensors = MixedTensors();
        var metadata = new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "hello" };
        var bytes = SafeTensorsFile.Serialize(tensors, metadata);

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long dataStart = 8 + (long)n;
        Assert.Equal(0, dataStart % 8);                         // data section aligned to 8 bytes
        var headerBytes = bytes.AsSpan(8, (int)n);
        Assert.Equal((byte)'{', headerBytes[0]);                // the reference reader requires a JSON object first
        int jsonEnd = headerBytes.LastIndexOf((byte)'}') + 1;
        Assert.True(n - (ulong)jsonEnd < 8);
        foreach (var pad in headerBytes[jsonEnd..]) Assert.Equal((byte)' ', pad);   // padding is spaces

        using var doc = JsonDocument.Parse(headerBytes.ToArray());
        var root = doc.RootElement;
        Assert.Equal(tensors.Count + 1, root.EnumerateObject().Count());

        long expectedBegin = 0;
        foreach (var t in tensors)
        {
            var entry = root.GetProperty(t.Name);
            Assert.Equal(3, entry.EnumerateObject().Count());
            Assert.Equal(t.DType, entry.GetProperty("dtype").GetString());
            Assert.Equal(t.Shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            // Tensors are packed back to back in the order given, with no holes.
            Assert.Equal([expectedBegin, expectedBegin + t.Data.Length], offsets);
            Assert.Equal(t.Data, bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray());
            expectedBegin = offsets[1];
        }
        Assert.Equal(bytes.Length, dataStart + expectedBegin);  // the data section ends exactly at the end of the file

        var meta = root.GetProperty("__metadata__");
        Assert.Equal("3", meta.GetProperty("epoch").GetString());
        Assert.Equal("hello", meta.GetProperty("note").GetString());
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan((int)dataStart)));
        Assert.Equal(sha, meta.GetProperty(SafeTensorsFile.ChecksumKey).GetString());
        foreach (var m in meta.EnumerateObject()) Assert.Equal(JsonValueKind.String, m.Value.ValueKind);   // metadata is str -> str
    }

    [Fact]
    public void ReadsAFileWrittenByAnotherTool()
    {
        // Built by hand the way Python's safetensors lays it out: no Forge checksum, header padded to 8, tensors sorted.
        float[] a = [1.5f, -2f, 3.25f];
        long[] b = [7, -9];
        var data = new byte[12 + 16];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), a[i]);
        for (int i = 0; i < 2; i++) BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12 + 8 * i), b[i]);
        var json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"I64\",\"shape\":[2,1],\"data_offsets\":[12,28]}}";
        var bytes = Assemble(json.PadRight((json.Length + 7) / 8 * 8), data);

        var (tensors, metadata) = SafeTensorsFile.Deserialize(bytes, Source);
        Assert.Equal(["a", "b"], tensors.Select(t => t.Name));
        Assert.Equal("pt", metadata["format"]);
        Assert.False(metadata.ContainsKey(SafeTensorsFile.ChecksumKey));
        Assert.Equal(a, Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadSingleLittleEndian(tensors[0].Data.AsSpan(4 * i))));
        Assert.Equal([2L, 1L], tensors[1].Shape);
        Assert.Equal(-9, BinaryPrimitives.ReadInt64LittleEndian(tensors[1].Data.AsSpan(8)));
    }

    [Fact]
    public void MetadataRoundTrips()
    {
        var metadata = new Dictionary<string, string>
        {
            ["train_args"] = "epochs: 3\nname: 'a: b'\n",
            ["names"] = "[\"cat\",\"dog\"]",
            ["unicode"] = "ünï 路径 \u00e9",
            ["quotes and \\ slashes"] = "\"q\" \\ '",
            ["empty"] = "",
        };
        var bytes = SafeTensorsFile.Serialize(MixedTensors(), metadata);
        var (_, back) = SafeTensorsFile.Deserialize(bytes, Source);
        Assert.Equal(metadata.Count + 1, back.Count);
        foreach (var (k, v) in metadata) Assert.Equal(v, back[k]);
        Assert.Equal(64, back[SafeTensorsFile.ChecksumKey].Length);
    }

    [Fact]
    public void NoTensorsIsAValidFile()
    {
        var bytes = SafeTensorsFile.Serialize([], new Dictionary<string, string> { ["k"] = "v" });
        var (tensors, metadata) = SafeTensorsFile.Deserialize(bytes, Source);
        Assert.Empty(tensors);
        Assert.Equal("v", metadata["k"]);
        Assert.Equal(0, bytes.Length % 8);
    }

    [Fact]
    public void FlippedDataByteFailsTheChecksum()
    {
        var bytes = SafeTensorsFile.Serialize(MixedTensors());
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        foreach (long at in new[] { dataStart, dataStart + 17, bytes.Length - 1 })
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x04;
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(damaged, Source));
            Assert.StartsWith(Source, e.Message);
            Assert.Contains("checksum", e.Message);
        }
    }

    [Fact]
    public void TruncatedFilesAreRejectedNamingTheSource()
    {
        var bytes = SafeTensorsFile.Serialize(MixedTensors());
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        foreach (long length in new[] { 0L, 5, 8, 20, dataStart - 1, dataStart, bytes.Length - 1 })
        {
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(bytes.AsSpan(0, (int)length), Source));
            Assert.StartsWith(Source, e.Message);
        }
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRejected()
    {
        var bytes = new byte[8 + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(bytes, Source));
        Assert.StartsWith(Source, e.Message);
        Assert.Contains("1000", e.Message);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);   // must not overflow into a small number
        e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(bytes, Source));
        Assert.StartsWith(Source, e.Message);
    }

    [Fact]
    public void GarbageIsRejectedNamingTheSource()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            var garbage = RandomBytes(rng, 64 + trial * 13);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(garbage, Source));
            Assert.StartsWith(Source, e.Message);
        }
        // A small plausible length followed by text that is not JSON.
        var text = Assemble("not json at all!", []);
        Assert.StartsWith(Source, Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(text, Source)).Message);
    }

    [Theory]
    [InlineData("null    ")]
    [InlineData("[]      ")]
    [InlineData("42      ")]
    [InlineData("{\"__metadata__\":{\"a\":1}}")]
    [InlineData("{\"__metadata__\":[\"a\"]}")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}")]                 // beyond the data
    [InlineData("{\"t\":{\"dtype\":\"F99\",\"shape\":[0],\"data_offsets\":[0,0]}}")]                  // unknown dtype
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"u\":3}")]         // entry is not an object
    [InlineData("{\"t\":{\"shape\":[0],\"data_offsets\":[0,0]}}")]                                    // no dtype
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"x\"],\"data_offsets\":[0,0]}}")]             // shape not integers
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,0]}}")]                  // reversed range
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}")]                 // negative dimension
    public void MalformedHeadersAreRejectedNamingTheSource(string json)
    {
        var bytes = Assemble(json.PadRight((json.Length + 7) / 8 * 8), new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(bytes, Source));
        Assert.StartsWith(Source, e.Message);
    }

    [Fact]
    public void ShapeThatDisagreesWithTheByteRangeIsRejected()
    {
        var json = "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(Assemble(json, new byte[8]), Source));
        Assert.StartsWith(Source, e.Message);
        Assert.Contains("'t'", e.Message);
    }

    [Fact]
    public void DuplicateNamesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize(
            [new TensorRecord("w", "F32", [1], new byte[4]), new TensorRecord("w", "F32", [1], new byte[4])]));
        Assert.Contains("'w'", e.Message);

        // A file whose header names a tensor twice is ambiguous: refuse it rather than pick one.
        var json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Deserialize(Assemble(json, new byte[8]), Source));
        Assert.StartsWith(Source, ex.Message);
    }

    [Fact]
    public void MetadataKeyCannotShadowTheHeaderEntry()
    {
        // A tensor may not be called __metadata__: it would replace the metadata map.
        Assert.ThrowsAny<ArgumentException>(() => SafeTensorsFile.Serialize([new TensorRecord("__metadata__", "U8", [1], [1])]));
    }

    [Fact]
    public void DataLengthMustMatchShapeWhenWriting()
    {
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Serialize([new TensorRecord("w", "F32", [2, 2], new byte[12])]));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("16", e.Message);
    }

    [Fact]
    public void ElementSizes()
    {
        Assert.Equal(8, TensorRecord.ElementSize("F64"));
        Assert.Equal(4, TensorRecord.ElementSize("F32"));
        Assert.Equal(2, TensorRecord.ElementSize("BF16"));
        Assert.Equal(1, TensorRecord.ElementSize("BOOL"));
        Assert.Throws<InvalidDataException>(() => TensorRecord.ElementSize("F8_E4M3X"));
    }

    static byte[] Assemble(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }
}
