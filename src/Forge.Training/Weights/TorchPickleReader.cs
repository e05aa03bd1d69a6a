using System.IO.Compression;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Weights;

/// <summary>
/// Reads a file written by <c>torch.save</c> (a zip holding <c>&lt;name&gt;/data.pkl</c> and one entry per storage under
/// <c>&lt;name&gt;/data/</c>) without running any of it: the pickle is first checked by <see cref="PickleGuard"/> against
/// <see cref="TorchAllowList"/>, then unpickled by Razorvine.Pickle with Forge's constructors (<see cref="TorchObjects"/>):
/// tensors are rebuilt from their storages (dtype, offset, shape, strides), classes become inert
/// <see cref="ClassDict"/>s of their attributes, dicts become Hashtables, lists ArrayLists, tuples object[].
/// The reader owns every tensor it creates; dispose it when the tensors have been copied.
/// </summary>
public sealed class TorchPickleReader : IDisposable
{
    readonly ZipArchive zip;
    readonly string path;
    readonly string prefix;
    readonly Dictionary<string, Tensor> storages = new(StringComparer.Ordinal);
    readonly List<Tensor> owned = new();

    /// <summary>The unpickled root object (for Ultralytics: a Hashtable with model, ema, names, date, version, ...).</summary>
    public object? Root { get; private set; }
    /// <summary>Every global the pickle named (all allowed).</summary>
    public IReadOnlySet<string> Globals { get; private set; } = new HashSet<string>();

    TorchPickleReader(ZipArchive zip, string path, string prefix)
    {
        this.zip = zip;
        this.path = path;
        this.prefix = prefix;
    }

    /// <summary>Opens and unpickles <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a torch.save zip, a truncated or damaged archive, a refused global, a missing
    /// or short storage; the message names the file and what is wrong.</exception>
    public static TorchPickleReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var zip = OpenZip(path);
        var reader = (TorchPickleReader?)null;
        try
        {
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') <= 1)
                      ?? throw new InvalidDataException($"{path}: no data.pkl in the archive; not a file written by torch.save");
            reader = new TorchPickleReader(zip, path, pkl.FullName[..^"data.pkl".Length]);
            var bytes = ReadEntry(pkl, path);
            reader.Globals = PickleGuard.Check(bytes, TorchAllowList.IsAllowed, $"{path} ({pkl.FullName})");
            reader.Root = reader.Unpickle(bytes, pkl.FullName);
            return reader;
        }
        catch
        {
            if (reader is not null) reader.Dispose();
            else zip.Dispose();
            throw;
        }
    }

    static ZipArchive OpenZip(string path)
    {
        var stream = File.OpenRead(path);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            int n = stream.Read(magic);
            if (n < 4 || magic[0] != 'P' || magic[1] != 'K')
                throw new InvalidDataException(n >= 2 && magic[0] == 0x80
                    ? $"{path}: saved in PyTorch's legacy (pre-1.6) format; re-save it with torch.save in a recent PyTorch"
                    : $"{path}: not a PyTorch checkpoint (a .pt file is a zip archive written by torch.save)");
            stream.Position = 0;
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            stream.Dispose();
            throw new InvalidDataException($"{path}: the zip archive is truncated or damaged ({e.Message}); the file was not written completely or was corrupted — download or copy it again");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        try
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path}: entry {entry.FullName} cannot be read ({e.Message}); the archive is damaged");
        }
    }

    object? Unpickle(byte[] bytes, string entryName)
    {
        TorchObjects.Register();
        using var unpickler = new StorageUnpickler(this);
        try { return unpickler.loads(bytes); }
        catch (PickleException e) { throw new InvalidDataException($"{path} ({entryName}): cannot read the pickle: {e.Message}", e); }
        catch (InvalidCastException e) { throw new InvalidDataException($"{path} ({entryName}): unexpected pickle structure: {e.Message}", e); }
    }

    /// <summary>The storage <paramref name="key"/> as a flat tensor of <paramref name="dtype"/> with <paramref name="numel"/> elements.</summary>
    internal Tensor Storage(string key, ScalarType dtype, long numel)
    {
        if (storages.TryGetValue(key, out var t)) return t;
        var entry = zip.GetEntry($"{prefix}data/{key}")
                    ?? throw new InvalidDataException($"{path}: storage data/{key} is missing from the archive (a tensor refers to it); the file is damaged or incomplete");
        long elem = ElementSize(dtype);
        if (entry.Length != numel * elem)
            throw new InvalidDataException($"{path}: storage data/{key} holds {entry.Length} bytes, expected {numel} x {elem}; the file is damaged");
        var bytes = ReadEntry(entry, path);
        t = empty(numel, dtype);
        t.bytes = bytes;
        storages[key] = t;
        return t;
    }

    /// <summary>A tensor of <paramref name="size"/> viewing <paramref name="storage"/> from <paramref name="offset"/> with
    /// <paramref name="stride"/> (torch._utils._rebuild_tensor_v2), copied into its own memory.</summary>
    internal Tensor View(TorchStorage storage, long offset, long[] size, long[] stride)
    {
        if (size.Length != stride.Length || size.Any(s => s < 0) || stride.Any(s => s < 0) || offset < 0)
            throw new InvalidDataException($"{path}: a tensor has an invalid shape [{string.Join(", ", size)}] or strides [{string.Join(", ", stride)}]");
        long last = offset + size.Zip(stride).Sum(p => p.First == 0 ? 0 : (p.First - 1) * p.Second);
        if (size.All(s => s > 0) && last >= storage.Numel)
            throw new InvalidDataException($"{path}: a tensor [{string.Join(", ", size)}] at offset {offset} reaches element {last} of storage data/{storage.Key}, which has {storage.Numel}");
        var flat = Storage(storage.Key, storage.DType, storage.Numel);
        using var view = flat.as_strided(size, stride, offset);
        var t = view.clone();
        owned.Add(t);
        return t;
    }

    static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    public void Dispose()
    {
        foreach (var t in storages.Values) t.Dispose();
        foreach (var t in owned) t.Dispose();
        storages.Clear();
        owned.Clear();
        zip.Dispose();
    }

    /// <summary>Resolves torch.save's persistent ids ("storage", type, key, location, numel) to <see cref="TorchStorage"/>s.</summary>
    sealed class StorageUnpickler(TorchPickleReader reader) : Unpickler
    {
        readonly Dictionary<string, TorchStorage> seen = new(StringComparer.Ordinal);

        protected override object persistentLoad(object pid)
        {
            if (pid is not object[] { Length: 5 } t || t[0] is not "storage")
                throw new InvalidDataException($"{reader.path}: unknown persistent id in the pickle; only torch.save storages are read");
            string type = t[1] switch
            {
                ClassDictConstructor c => $"{c.module}.{c.name}",
                var v => throw new InvalidDataException($"{reader.path}: storage type {v} is not a torch storage class"),
            };
            var key = Convert.ToString(t[2], System.Globalization.CultureInfo.InvariantCulture)!;
            long numel = Convert.ToInt64(t[4], System.Globalization.CultureInfo.InvariantCulture);
            if (!seen.TryGetValue(key, out var s)) seen[key] = s = new TorchStorage(reader, key, TorchObjects.StorageDType(type, reader.path), numel);
            return s;
        }
    }
}

/// <summary>A storage named in the pickle: read from the archive the first time a tensor views it.</summary>
public sealed record TorchStorage(TorchPickleReader Reader, string Key, ScalarType DType, long Numel);
