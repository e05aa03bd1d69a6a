using Forge.Torch;
using Forge.Training.Checkpoints;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Checkpoints;

public class TensorRecordsTests
{
    public static TheoryData<ScalarType, string> DTypes => new()
    {
        { ScalarType.Float32, "F32" }, { ScalarType.Float64, "F64" }, { ScalarType.Float16, "F16" }, { ScalarType.BFloat16, "BF16" },
        { ScalarType.Int64, "I64" }, { ScalarType.Int32, "I32" }, { ScalarType.Int16, "I16" }, { ScalarType.Int8, "I8" },
        { ScalarType.Byte, "U8" }, { ScalarType.Bool, "BOOL" },
    };

    [Theory]
    [MemberData(nameof(DTypes))]
    public void EveryStoredDtypeRoundTripsBitwise(ScalarType type, string name)
    {
        var gen = new Generator(17);
        var source = randn([3, 4], generator: gen).Times(50).to(type);
        var record = TensorRecords.FromTensor("t", source);
        Assert.Equal(name, record.DType);
        Assert.Equal([3L, 4], record.Shape);
        Assert.Equal(12 * TensorRecordSize(name), record.Data.Length);
        using var back = TensorRecords.ToTensor(record);
        Assert.True(BitwiseEqual(source, back));
    }

    static int TensorRecordSize(string dtype) => Forge.Core.Serialization.TensorRecord.ElementSize(dtype);

    [Fact]
    public void ScalarsZeroSizeAndNonContiguousTensors()
    {
        using var scalar = tensor(3.5f);
        var r = TensorRecords.FromTensor("s", scalar);
        Assert.Empty(r.Shape);
        Assert.Equal(3.5f, TensorRecords.ToTensor(r).item<float>());

        using var empty = zeros(0, 3, dtype: ScalarType.Int64);
        r = TensorRecords.FromTensor("e", empty);
        Assert.Equal([0L, 3], r.Shape);
        Assert.Empty(r.Data);
        Assert.Equal([0L, 3], TensorRecords.ToTensor(r).shape);

        // A transposed view is stored in its logical (row-major) order.
        using var m = HeldScalars.Arange(6, ScalarType.Float32).reshape(2, 3);
        using var t = m.t();
        using var back = TensorRecords.ToTensor(TensorRecords.FromTensor("t", t));
        Assert.Equal([3L, 2], back.shape);
        Assert.Equal([0f, 3, 1, 4, 2, 5], back.data<float>().ToArray());
    }

    [Fact]
    public void UnsupportedDtypesAreRefusedByName()
    {
        using var c = zeros(2, dtype: ScalarType.ComplexFloat32);
        var e = Assert.Throws<NotSupportedException>(() => TensorRecords.FromTensor("z", c));
        Assert.Contains("'z'", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => TensorRecords.ToTensor(new Forge.Core.Serialization.TensorRecord("u", "U16", [1], new byte[2])));
        Assert.Contains("'u'", e2.Message);
    }
}
