using System.Runtime.InteropServices;
using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>Collectives on tensors and whole modules (device tensors are staged through host memory).</summary>
public static class TensorCollectives
{
    // Small tensors are packed into one message so start-up costs a few broadcasts, not one per tensor.
    const int PackBytes = 64 << 20;

    // Every parameter then every buffer, by module path, in registration order (identical on every rank): the module's state_dict.
    static List<(string Name, Tensor Tensor)> StateTensors(nn.Module module) =>
        module.state_dict().Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>
    /// Copies every parameter and buffer of <paramref name="module"/> from <paramref name="root"/> to all ranks, so replicas start
    /// identical whatever their random initialisation. Fails on every rank, naming the ranks, when the models differ in structure.
    /// </summary>
    public static void BroadcastModuleState(nn.Module module, ICommunicator comm, int root = 0)
    {
        var state = StateTensors(module);
        RequireSameStructure(state, comm, "BroadcastModuleState");
        if (comm.WorldSize == 1) return;
        bool sending = comm.Rank == root;
        using var _ = no_grad();

        byte[]? pack = null;
        int i = 0;
        while (i < state.Count)
        {
            var first = state[i].Tensor;
            HostStaging.CheckSize(first);
            long firstBytes = first.NumberOfElements * first.ElementSize;
            if (firstBytes >= PackBytes)
            {
                HostStaging.WithBytes(first, writeBack: !sending, bytes => comm.Broadcast(bytes, root));
                i++;
                continue;
            }
            int end = i;
            long total = 0;
            while (end < state.Count)
            {
                var t = state[end].Tensor;
                long n = t.NumberOfElements * t.ElementSize;
                if (total + n > PackBytes) break;
                total += n;
                end++;
            }
            pack ??= new byte[Math.Min(PackBytes, SumBytes(state))];
            var buffer = pack;
            if (sending) ForEachSlice(state, i, end, (t, offset, length) => HostStaging.WithBytes(t, false, b => b.CopyTo(buffer.AsSpan(offset, length))));
            comm.Broadcast(buffer.AsSpan(0, (int)total), root);
            if (!sending) ForEachSlice(state, i, end, (t, offset, length) => HostStaging.WithBytes(t, true, b => buffer.AsSpan(offset, length).CopyTo(b)));
            i = end;
        }
    }

    /// <summary>
    /// A 64-bit digest of all parameters and buffers (names, dtypes, shapes and exact bytes): equal on two ranks exactly when
    /// their model states are bit-identical. Costs one pass over the weights.
    /// </summary>
    public static ulong ModuleChecksum(nn.Module module)
    {
        var hasher = new StateHasher();
        foreach (var (name, t) in StateTensors(module))
        {
            AddDescription(hasher, name, t);
            HostStaging.WithBytes(t, false, b => hasher.Add(b));
        }
        return hasher.Value;
    }

    /// <summary>Throws on every rank, naming the ranks that differ from rank 0, unless all ranks hold bit-identical module state.</summary>
    public static void VerifyIdenticalState(nn.Module module, ICommunicator comm)
    {
        var sums = comm.AllGather(ModuleChecksum(module));
        var differing = new List<int>();
        for (int r = 1; r < sums.Length; r++) if (sums[r] != sums[0]) differing.Add(r);
        if (differing.Count > 0)
            throw new InvalidOperationException(
                $"model state differs from rank 0 on rank(s) {string.Join(", ", differing)}: replicas were not synchronised (call BroadcastModuleState after building and loading the model).");
    }

    /// <summary>In-place sum over ranks of a float32, float64 or int64 tensor on any device.</summary>
    public static void AllReduceSum(Tensor tensor, ICommunicator comm)
    {
        if (comm.WorldSize == 1) return;
        var dtype = tensor.dtype;
        HostStaging.WithBytes(tensor, writeBack: true, bytes =>
        {
            switch (dtype)
            {
                case ScalarType.Float32: comm.AllReduceSum(MemoryMarshal.Cast<byte, float>(bytes)); break;
                case ScalarType.Float64: comm.AllReduceSum(MemoryMarshal.Cast<byte, double>(bytes)); break;
                case ScalarType.Int64: comm.AllReduceSum(MemoryMarshal.Cast<byte, long>(bytes)); break;
                default: throw new NotSupportedException($"AllReduceSum supports float32, float64 and int64 tensors, not {dtype}.");
            }
        });
    }

    /// <summary>In-place mean over ranks of a floating-point tensor (for logging losses and metrics of all ranks).</summary>
    public static void AllReduceMean(Tensor tensor, ICommunicator comm)
    {
        if (comm.WorldSize == 1) return;
        if (!torch.is_floating_point(tensor)) throw new NotSupportedException($"AllReduceMean needs a floating-point tensor, not {tensor.dtype}.");
        AllReduceSum(tensor, comm);
        using var _ = no_grad();
        tensor.DivInPlace(comm.WorldSize);   // a held Scalar (HeldScalars)
    }

    /// <summary>
    /// Collective: checks that every rank lists the same tensors (names, order, dtypes, shapes) as rank 0, from one hash per
    /// rank; throws <see cref="InvalidOperationException"/> naming <paramref name="operation"/> and the differing ranks.
    /// </summary>
    internal static void RequireSameStructure(List<(string Name, Tensor Tensor)> state, ICommunicator comm, string operation)
    {
        var hasher = new StateHasher();
        foreach (var (name, t) in state) AddDescription(hasher, name, t);
        var digests = comm.AllGather(hasher.Value);
        var differing = new List<int>();
        for (int r = 0; r < digests.Length; r++) if (digests[r] != digests[0]) differing.Add(r);
        if (differing.Count > 0)
            throw new InvalidOperationException(
                $"{operation}: the model on rank(s) {string.Join(", ", differing)} has different parameter names, shapes or dtypes than on rank 0; every rank must build the same model from the same configuration.");
    }

    static void AddDescription(StateHasher hasher, string name, Tensor t)
    {
        hasher.Add(name);
        hasher.Add((long)t.dtype);
        hasher.Add(t.shape.Length);
        foreach (var d in t.shape) hasher.Add(d);
    }

    static long SumBytes(List<(string Name, Tensor Tensor)> state)
    {
        long total = 0;
        foreach (var (_, t) in state) total += t.NumberOfElements * t.ElementSize;
        return total;
    }

    static void ForEachSlice(List<(string Name, Tensor Tensor)> state, int start, int end, Action<Tensor, int, int> action)
    {
        int offset = 0;
        for (int k = start; k < end; k++)
        {
            var t = state[k].Tensor;
            int length = (int)(t.NumberOfElements * t.ElementSize);
            action(t, offset, length);
            offset += length;
        }
    }
}
