using System.Runtime.InteropServices;

namespace Forge.Distributed;

/// <summary>
/// The few NCCL entry points data-parallel training needs, resolved at run time from libnccl.so.2 (shipped with NVIDIA's
/// CUDA libraries, not with Forge), so a CPU-only machine never needs it.
/// </summary>
internal static unsafe class NcclNative
{
    public const int UniqueIdBytes = 128;     // NCCL_UNIQUE_ID_BYTES
    public const int Float32 = 7;             // ncclFloat32
    public const int Sum = 0;                 // ncclSum

    [StructLayout(LayoutKind.Sequential)]
    public struct UniqueId { public fixed byte Internal[UniqueIdBytes]; }

    static readonly Lazy<IntPtr> Library = new(() =>
    {
        var name = Environment.GetEnvironmentVariable("FORGE_NCCL_LIBRARY") is { Length: > 0 } n ? n : "libnccl.so.2";
        if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        throw new DllNotFoundException($"NCCL ({name}) could not be loaded: install NVIDIA's NCCL (libnccl2) for multi-GPU training, " +
                                       "or set FORGE_DDP_BACKEND=mpi to move gradients through host memory instead");
    });

    static T Fn<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(Library.Value, name));

    delegate int GetUniqueIdFn(UniqueId* id);
    delegate int CommInitRankFn(out IntPtr comm, int nranks, UniqueId id, int rank);
    delegate int AllReduceFn(IntPtr send, IntPtr recv, nuint count, int datatype, int op, IntPtr comm, IntPtr stream);
    delegate int CommDestroyFn(IntPtr comm);
    delegate IntPtr GetErrorStringFn(int result);

    public static UniqueId GetUniqueId()
    {
        UniqueId id;
        Check(Fn<GetUniqueIdFn>("ncclGetUniqueId")(&id), "ncclGetUniqueId");
        return id;
    }

    public static IntPtr CommInitRank(int ranks, UniqueId id, int rank)
    {
        Check(Fn<CommInitRankFn>("ncclCommInitRank")(out var comm, ranks, id, rank), "ncclCommInitRank");
        return comm;
    }

    /// <summary>Enqueues the sum on <paramref name="stream"/> (0: the legacy default stream, which libtorch uses unless told otherwise).</summary>
    public static void AllReduce(IntPtr buffer, long count, IntPtr comm, IntPtr stream) =>
        Check(Fn<AllReduceFn>("ncclAllReduce")(buffer, buffer, (nuint)count, Float32, Sum, comm, stream), "ncclAllReduce");

    public static void CommDestroy(IntPtr comm) => Fn<CommDestroyFn>("ncclCommDestroy")(comm);

    static void Check(int result, string call)
    {
        if (result == 0) return;
        string text = Marshal.PtrToStringAnsi(Fn<GetErrorStringFn>("ncclGetErrorString")(result)) ?? "unknown error";
        throw new InvalidOperationException($"{call} failed with NCCL error {result}: {text}");
    }
}
