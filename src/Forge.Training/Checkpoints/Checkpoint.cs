using System.Text.Json;
using Forge.Core.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Checkpoints;

/// <summary>
/// A Forge checkpoint: named tensors plus string metadata in one safetensors file, written atomically with a checksum.
/// Tensor name prefixes are sections: <c>model.</c> holds the weights to deploy (the EMA during training); later
/// sections (training state) sit beside it without changing how weights are read.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    public const string Format = "forge-checkpoint/1";
    public const string ModelPrefix = "model.";

    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);
    // Tensors read from a file belong to the checkpoint; tensors added from live modules do not.
    bool ownsTensors;
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public string? Get(string key) => Metadata.TryGetValue(key, out var v) ? v : null;

    public void AddModule(string prefix, nn.Module module)
    {
        foreach (var (n, t) in module.state_dict()) Tensors[prefix + n] = t;
    }

    /// <summary>Tensors of one section, with the prefix removed.</summary>
    public Dictionary<string, Tensor> Section(string prefix)
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in Tensors) if (k.StartsWith(prefix, StringComparison.Ordinal)) d[k[prefix.Length..]] = v;
        return d;
    }

    public void SetJson<T>(string key, T value) => Metadata[key] = JsonSerializer.Serialize(value);
    public T? GetJson<T>(string key) => Metadata.TryGetValue(key, out var v) ? JsonSerializer.Deserialize<T>(v) : default;

    /// <summary>Copies every tensor out (see <see cref="CheckpointSnapshot"/>); the live tensors may change right after.</summary>
    public CheckpointSnapshot Snapshot()
    {
        Metadata["format"] = Format;
        var copies = new List<CheckpointSnapshot.SnapshotTensor>(Tensors.Count);
        foreach (var (name, t) in Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal)) copies.Add(new CheckpointSnapshot.SnapshotTensor(name, t));
        return new CheckpointSnapshot(copies, new Dictionary<string, string>(Metadata, StringComparer.Ordinal));
    }

    public byte[] Serialize()
    {
        using var snapshot = Snapshot();
        return snapshot.ToArray();
    }

    public void Save(string path)
    {
        using var snapshot = Snapshot();
        AtomicFile.Write(path, snapshot.WriteTo);
    }

    /// <summary>Loads and verifies a checkpoint; a damaged file raises <see cref="InvalidDataException"/> naming the path and the cause.</summary>
    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// A checkpoint from the bytes of its file, verified like <see cref="Load"/> (for example the bytes rank 0 read and broadcast,
    /// so that no rank reads another machine's disk); <paramref name="source"/> names it in errors.
    /// </summary>
    public static Checkpoint FromBytes(byte[] bytes, string source)
    {
        var (records, meta) = SafeTensorsFile.Deserialize(bytes, source);
        var ckpt = new Checkpoint { ownsTensors = true };
        foreach (var (k, v) in meta) ckpt.Metadata[k] = v;
        if (ckpt.Get("format") is not { } fmt || !fmt.StartsWith("forge-checkpoint/", StringComparison.Ordinal))
        {
            // Plain safetensors weights (exported, or from another tool) are accepted as a bare model section. Every name
            // gets the prefix: the detector's own names already begin with "model." (model.0.conv.weight), so keeping
            // such names as they are would strip that part when the section is read.
            foreach (var r in records)
                ckpt.Tensors[ModelPrefix + r.Name] = TensorRecords.ToTensor(r).DetachFromDisposeScope();
            return ckpt;
        }
        foreach (var r in records) ckpt.Tensors[r.Name] = TensorRecords.ToTensor(r).DetachFromDisposeScope();
        return ckpt;
    }

    public void Dispose()
    {
        if (ownsTensors) foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
