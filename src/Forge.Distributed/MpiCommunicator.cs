using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Forge.Distributed.Native;

namespace Forge.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over Open MPI's MPI_COMM_WORLD. MPI can be initialised once per process, so create one
/// (normally through <see cref="Communicator.FromEnvironment"/>) and dispose it at the end of the run (MPI_Finalize).
/// Calls are serialised by a lock, so any thread may use it, one call at a time.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    // Large buffers go in pieces so counts stay within MPI's int and no single message is unreasonably big.
    const int MaxChunkBytes = 1 << 30;
    static int created;

    readonly object gate = new();
    readonly bool ownsInitialization;
    readonly int initThreadId;
    readonly UnhandledExceptionEventHandler? crashHandler;
    bool disposed;

    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalRank { get; }
    public int LocalSize { get; }
    public bool IsMain => Rank == 0;
    public string Backend => "mpi";
    /// <summary>The MPI library's own version line, e.g. "Open MPI v4.1.4".</summary>
    public string LibraryVersion { get; }
    /// <summary>Thread support MPI granted (MPI_THREAD_SERIALIZED = 2 was requested).</summary>
    public int ThreadLevel { get; }

    /// <param name="expected">The launcher's view; when it names a world size MPI must agree (catches srun without --mpi=pmix).</param>
    /// <param name="abortOnUnhandledException">Print <c>rank N: error</c> and MPI_Abort the job when this process dies of an
    /// unhandled exception, so the other ranks do not wait forever in a collective.</param>
    public MpiCommunicator(LaunchEnvironment? expected = null, bool abortOnUnhandledException = true)
    {
        if (Interlocked.Exchange(ref created, 1) != 0)
            throw new InvalidOperationException("MPI can be initialised only once per process: create one MpiCommunicator and share it.");
        int provided = 0;
        try
        {
            MpiNative.EnsureLoaded();
            int flag = 0;
            Check(MpiNative.Initialized(&flag), "MPI_Initialized", -1);
            if (flag == 0)
            {
                Check(MpiNative.Init_thread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, &provided), "MPI_Init_thread", expected?.Rank ?? -1);
                ownsInitialization = true;
            }
            else Check(MpiNative.Query_thread(&provided), "MPI_Query_thread", -1);   // initialised by someone else in this process
        }
        catch
        {
            if (!ownsInitialization) Volatile.Write(ref created, 0);   // nothing initialised: a later attempt may succeed
            throw;
        }
        ThreadLevel = provided;
        initThreadId = Environment.CurrentManagedThreadId;

        int rank = 0, size = 0;
        Check(MpiNative.Comm_rank(MpiNative.CommWorld, &rank), "MPI_Comm_rank", -1);
        Check(MpiNative.Comm_size(MpiNative.CommWorld, &size), "MPI_Comm_size", rank);
        Rank = rank;
        WorldSize = size;
        // Errors come back as codes (turned into MpiException) instead of MPI aborting the job without a word.
        Check(MpiNative.Comm_set_errhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler", rank);
        (LocalRank, LocalSize) = NodeLocalRank(rank);
        LibraryVersion = MpiNative.LibraryVersion();

        if (expected?.WorldSize is int w && w != size)
        {
            var hint = expected.Launcher == Launcher.Slurm
                ? "Under Slurm launch with 'srun --mpi=pmix' so MPI joins the step's tasks"
                : "Launch every rank with the same MPI's mpirun";
            throw new InvalidOperationException($"{expected.Launcher} started {w} processes but MPI sees a world of {size} (rank {rank}). {hint}.");
        }

        if (abortOnUnhandledException)
        {
            crashHandler = (_, e) => Abort(1, e.ExceptionObject?.ToString() ?? "unhandled exception");
            AppDomain.CurrentDomain.UnhandledException += crashHandler;
        }
    }

    (int LocalRank, int LocalSize) NodeLocalRank(int rank)
    {
        IntPtr local = IntPtr.Zero;
        Check(MpiNative.Comm_split_type(MpiNative.CommWorld, MpiNative.CommTypeShared, rank, MpiNative.InfoNull, &local), "MPI_Comm_split_type", rank);
        try
        {
            int lr = 0, ls = 0;
            Check(MpiNative.Comm_rank(local, &lr), "MPI_Comm_rank(node)", rank);
            Check(MpiNative.Comm_size(local, &ls), "MPI_Comm_size(node)", rank);
            return (lr, ls);
        }
        finally { MpiNative.Comm_free(&local); }
    }

    public void Barrier()
    {
        lock (gate)
        {
            Enter();
            Check(MpiNative.Barrier(MpiNative.CommWorld), "MPI_Barrier");
        }
    }

    public void Broadcast<T>(Span<T> data, int root) where T : unmanaged
    {
        CheckRoot(root);
        var bytes = MemoryMarshal.AsBytes(data);
        lock (gate)
        {
            Enter();
            fixed (byte* p = bytes)
            {
                for (long off = 0; off < bytes.Length; off += MaxChunkBytes)
                {
                    int n = (int)Math.Min(MaxChunkBytes, bytes.Length - off);
                    Check(MpiNative.Bcast(p + off, n, MpiNative.Byte, root, MpiNative.CommWorld), "MPI_Bcast");
                }
            }
        }
    }

    public void AllReduceSum(Span<float> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(float), MpiNative.Float, MpiNative.OpSum, "MPI_Allreduce(float, SUM)");
    public void AllReduceSum(Span<double> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(double), MpiNative.Double, MpiNative.OpSum, "MPI_Allreduce(double, SUM)");
    public void AllReduceSum(Span<long> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(long), MpiNative.Int64, MpiNative.OpSum, "MPI_Allreduce(int64, SUM)");
    public void AllReduceMax(Span<double> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(double), MpiNative.Double, MpiNative.OpMax, "MPI_Allreduce(double, MAX)");
    public void AllReduceMax(Span<long> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(long), MpiNative.Int64, MpiNative.OpMax, "MPI_Allreduce(int64, MAX)");
    public void AllReduceMin(Span<double> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(double), MpiNative.Double, MpiNative.OpMin, "MPI_Allreduce(double, MIN)");
    public void AllReduceMin(Span<long> data) => AllReduce(MemoryMarshal.AsBytes(data), sizeof(long), MpiNative.Int64, MpiNative.OpMin, "MPI_Allreduce(int64, MIN)");

    void AllReduce(Span<byte> bytes, int elementSize, IntPtr type, IntPtr op, string call)
    {
        int chunk = MaxChunkBytes / elementSize * elementSize;
        lock (gate)
        {
            Enter();
            fixed (byte* p = bytes)
            {
                for (long off = 0; off < bytes.Length; off += chunk)
                {
                    int n = (int)Math.Min(chunk, bytes.Length - off) / elementSize;
                    Check(MpiNative.Allreduce(MpiNative.InPlace, p + off, n, type, op, MpiNative.CommWorld), call);
                }
            }
        }
    }

    public T[] AllGather<T>(T value) where T : unmanaged
    {
        var result = new T[WorldSize];
        lock (gate)
        {
            Enter();
            fixed (T* r = result)
                Check(MpiNative.Allgather(&value, sizeof(T), MpiNative.Byte, r, sizeof(T), MpiNative.Byte, MpiNative.CommWorld), "MPI_Allgather");
        }
        return result;
    }

    public byte[][] AllGatherBytes(ReadOnlySpan<byte> data)
    {
        var lengths = AllGather(data.Length);
        var displacements = new int[WorldSize];
        long total = 0;
        for (int r = 0; r < WorldSize; r++)
        {
            displacements[r] = (int)Math.Min(total, int.MaxValue);
            total += lengths[r];
        }
        if (total > int.MaxValue)
            throw new ArgumentException($"AllGatherBytes: {total} bytes over all ranks exceeds the 2 GiB limit of one gather; gather in parts.", nameof(data));
        var all = new byte[total];
        lock (gate)
        {
            Enter();
            fixed (byte* s = data)
            fixed (byte* r = all)
            fixed (int* counts = lengths)
            fixed (int* displs = displacements)
            {
                byte dummy = 0;   // a valid address for zero-length sends
                Check(MpiNative.Allgatherv(s == null ? &dummy : s, data.Length, MpiNative.Byte, r == null ? &dummy : r, counts, displs,
                    MpiNative.Byte, MpiNative.CommWorld), "MPI_Allgatherv");
            }
        }
        var result = new byte[WorldSize][];
        for (int rk = 0; rk < WorldSize; rk++) result[rk] = all.AsSpan(displacements[rk], lengths[rk]).ToArray();
        return result;
    }

    [DoesNotReturn]
    public void Abort(int errorCode, string message)
    {
        // No lock: abort must work even while another thread is stuck inside a collective.
        Console.Out.Flush();
        Console.Error.WriteLine($"rank {Rank}: {message}");
        Console.Error.Flush();
        MpiNative.Abort(MpiNative.CommWorld, errorCode);
        Environment.Exit(errorCode);   // MPI_Abort does not return; this only guards a broken library
        throw new InvalidOperationException("unreachable: Environment.Exit returned");
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            if (crashHandler is not null) AppDomain.CurrentDomain.UnhandledException -= crashHandler;
            if (!ownsInitialization) return;
            int finalized = 0;
            MpiNative.Finalized(&finalized);
            if (finalized == 0) Check(MpiNative.Finalize(), "MPI_Finalize");
        }
    }

    void Enter()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (ThreadLevel < MpiNative.ThreadSerialized && Environment.CurrentManagedThreadId != initThreadId)
            throw new InvalidOperationException(
                $"MPI granted thread level {ThreadLevel} (below MPI_THREAD_SERIALIZED): call collectives from the thread that created the communicator.");
    }

    void CheckRoot(int root)
    {
        if ((uint)root >= (uint)WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in 0..{WorldSize - 1}");
    }

    void Check(int code, string call) => Check(code, call, Rank);

    static void Check(int code, string call, int rank)
    {
        if (code != MpiNative.Success) throw new MpiException(call, rank, code, MpiNative.ErrorText(code));
    }
}
