namespace Forge.Distributed;

/// <summary>
/// The process group of a data-parallel run: who this process is and the collectives the trainer needs.
/// Every rank must call the same collectives in the same order with matching sizes (MPI semantics); a rank that
/// skips one blocks the others. A single-process run gets <see cref="SingleProcessCommunicator"/>, where every
/// collective is the identity, so the training loop has no distributed branches.
/// </summary>
/// <remarks>
/// <para>Collectives take host memory (spans). Device tensors are staged to host by the tensor-level helpers
/// (<see cref="TensorCollectives"/>, <see cref="GradientBucketReducer"/>), which keep one flat buffer per gradient bucket on the
/// parameters' device plus a host mirror, so a CUDA run costs one device-to-host and one host-to-device copy per bucket.</para>
/// <para>How an NCCL backend would plug in (not built: no CUDA here to test it): the MPI communicator stays the bootstrap and
/// the host-side channel. Rank 0 calls <c>ncclGetUniqueId</c>, the 128-byte id is sent to all ranks with
/// <see cref="Broadcast{T}(Span{T}, int)"/>, each rank selects device <see cref="LocalRank"/> and calls
/// <c>ncclCommInitRank(&amp;comm, WorldSize, id, Rank)</c>. Gradient buckets then skip the host mirror and call
/// <c>ncclAllReduce</c> on the device flat buffer on the training stream; that is the only place the reducer would branch,
/// because scalar collectives (loss averaging, metric gathering, sampler agreement) stay on this interface.</para>
/// </remarks>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index in the world, 0..WorldSize-1.</summary>
    int Rank { get; }
    int WorldSize { get; }
    /// <summary>Index among the processes on this machine (which GPU to use).</summary>
    int LocalRank { get; }
    int LocalSize { get; }
    /// <summary>Rank 0: the process that logs, validates and writes checkpoints.</summary>
    bool IsMain { get; }
    /// <summary>"single" or "mpi".</summary>
    string Backend { get; }

    void Barrier();

    /// <summary>Copies <paramref name="data"/> from <paramref name="root"/> to every rank; all ranks pass the same length.</summary>
    void Broadcast<T>(Span<T> data, int root) where T : unmanaged;

    /// <summary>In-place element-wise sum over ranks; every rank ends with the same values.</summary>
    void AllReduceSum(Span<float> data);
    void AllReduceSum(Span<double> data);
    void AllReduceSum(Span<long> data);
    void AllReduceMax(Span<double> data);
    void AllReduceMax(Span<long> data);
    void AllReduceMin(Span<double> data);
    void AllReduceMin(Span<long> data);

    /// <summary>Every rank's value, indexed by rank.</summary>
    T[] AllGather<T>(T value) where T : unmanaged;

    /// <summary>Every rank's bytes, indexed by rank; lengths may differ between ranks.</summary>
    byte[][] AllGatherBytes(ReadOnlySpan<byte> data);

    /// <summary>Prints <c>rank N: message</c> to stderr and ends the whole job with <paramref name="errorCode"/> (does not return).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    void Abort(int errorCode, string message);
}
