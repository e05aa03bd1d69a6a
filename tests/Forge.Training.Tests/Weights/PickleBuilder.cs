using System.IO.Compression;
using System.Text;

namespace Forge.Training.Tests.Weights;

/// <summary>Writes pickle opcodes by hand (pickletools' names), to make test pickles — malicious ones included — without Python.</summary>
public sealed class PickleBuilder
{
    readonly List<byte> bytes = new();

    public PickleBuilder(int protocol = 2) => Op(0x80).Byte((byte)protocol);

    public PickleBuilder Op(int opcode) { bytes.Add((byte)opcode); return this; }
    PickleBuilder Byte(byte b) { bytes.Add(b); return this; }
    PickleBuilder Raw(byte[] b) { bytes.AddRange(b); return this; }

    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));
    public PickleBuilder Inst(string module, string name) => Op('i').Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));
    public PickleBuilder StackGlobal() => Op(0x93);
    public PickleBuilder Mark() => Op('(');
    public PickleBuilder Tuple() => Op('t');
    public PickleBuilder EmptyTuple() => Op(')');
    public PickleBuilder EmptyDict() => Op('}');
    public PickleBuilder SetItem() => Op('s');
    public PickleBuilder SetItems() => Op('u');
    public PickleBuilder Reduce() => Op('R');
    public PickleBuilder PersistentId() => Op('Q');
    public PickleBuilder False() => Op(0x89);
    public PickleBuilder None() => Op('N');
    public PickleBuilder Dup() => Op('2');
    public PickleBuilder Memoize() => Op(0x94);
    public PickleBuilder BinPut(byte key) => Op('q').Byte(key);
    public PickleBuilder BinGet(byte key) => Op('h').Byte(key);
    public PickleBuilder Stop() => Op('.');
    public PickleBuilder Int(int v) => Op('J').Raw(BitConverter.GetBytes(v));

    public PickleBuilder Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return Op('X').Raw(BitConverter.GetBytes(b.Length)).Raw(b);
    }

    public PickleBuilder ShortStr(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return Op(0x8c).Byte((byte)b.Length).Raw(b);
    }

    public PickleBuilder IntTuple(params int[] values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) as torch.save writes it.</summary>
    public PickleBuilder Tensor(string storageType, string key, int numel, int offset, int[] size, int[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple().PersistentId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    public byte[] ToArray() => bytes.ToArray();

    /// <summary>A torch.save-style zip: archive/data.pkl, archive/data/KEY for each storage, archive/version.</summary>
    public static void WriteArchive(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(zip, "archive/data.pkl", pickle);
        foreach (var (key, data) in storages ?? new Dictionary<string, byte[]>()) Write(zip, $"archive/data/{key}", data);
        Write(zip, "archive/version", "3\n"u8.ToArray());
    }

    static void Write(ZipArchive zip, string name, byte[] data)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(data);
    }
}
