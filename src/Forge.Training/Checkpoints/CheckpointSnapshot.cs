using Forge.Core.Serialization;
using static TorchSharp.torch;

namespace Forge.Training.Checkpoints;

/// <summary>
/// A checkpoint frozen at one moment: a private CPU copy of every tensor (native memory, released on dispose) plus the
/// metadata. Taking it is all the training loop waits for; writing it (possibly on another thread, while training goes on)
/// streams straight from those copies into the file, with no managed copy of the data.
/// </summary>
public sealed class CheckpointSnapshot : IDisposable
{
    readonly List<SnapshotTensor> tensors;
    readonly Dictionary<string, string> metadata;

    internal CheckpointSnapshot(List<SnapshotTensor> tensors, Dictionary<string, string> metadata)
    {
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public long DataBytes => tensors.Sum(t => (long)t.Bytes.Length);

    public void WriteTo(Stream stream) => SafeTensorsFile.Write(stream, tensors, metadata);

    public byte[] ToArray()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.ToArray();
    }

    public void Dispose()
    {
        foreach (var t in tensors) t.Dispose();
        tensors.Clear();
    }

    /// <summary>A detached, contiguous CPU clone of a tensor, exposed as its raw bytes.</summary>
    internal sealed class SnapshotTensor : ITensorBytes, IDisposable
    {
        readonly Tensor copy;

        public SnapshotTensor(string name, Tensor source)
        {
            Name = name;
            DType = TensorRecords.DTypeName(source.dtype, name);
            using (NewDisposeScope())
            {
                var detached = source.detach();
                copy = (detached.device_type == TorchSharp.DeviceType.CPU ? detached.clone() : detached.to(CPU)).contiguous().DetachFromDisposeScope();
            }
            Shape = copy.shape;
        }

        public string Name { get; }
        public string DType { get; }
        public long[] Shape { get; }
        public ReadOnlySpan<byte> Bytes => copy.bytes;
        public void Dispose() => copy.Dispose();
    }
}
