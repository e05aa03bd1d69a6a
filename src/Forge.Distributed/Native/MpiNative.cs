using System.Runtime.InteropServices;

namespace Forge.Distributed.Native;

/// <summary>
/// The few Open MPI C calls Forge needs, bound at run time so nothing MPI-related is needed to build or to run single-process.
/// In Open MPI the predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are not integers but the addresses of exported
/// globals (mpi.h: <c>#define MPI_COMM_WORLD OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)</c>), so they are resolved
/// with dlsym like the functions. MPICH-family libraries (integer handles) are therefore not supported by this binding.
/// </summary>
internal static unsafe class MpiNative
{
    public const int Success = 0;
    public const int ThreadSingle = 0, ThreadFunneled = 1, ThreadSerialized = 2, ThreadMultiple = 3;   // mpi.h enum order
    public const int CommTypeShared = 0;          // MPI_COMM_TYPE_SHARED, first of its enum in mpi.h
    public const int MaxErrorString = 256;        // MPI_MAX_ERROR_STRING (OPAL_MAX_ERROR_STRING)
    public const int MaxLibraryVersionString = 256;
    public static readonly void* InPlace = (void*)1;   // mpi.h: #define MPI_IN_PLACE ((void *) 1)

    /// <summary>Environment variable that overrides where libmpi is loaded from.</summary>
    public const string LibraryVariable = "FORGE_MPI_LIBRARY";
    static readonly string[] LibraryNames = { "libmpi.so.40", "libmpi.so" };

    public static IntPtr CommWorld, InfoNull, ErrorsReturn;
    public static IntPtr Byte, Int64, Float, Double;
    public static IntPtr OpSum, OpMax, OpMin;

    public static delegate* unmanaged<IntPtr, IntPtr, int, int*, int> Init_thread;
    public static delegate* unmanaged<int*, int> Initialized;
    public static delegate* unmanaged<int*, int> Query_thread;
    public static delegate* unmanaged<int> Finalize;
    public static delegate* unmanaged<int*, int> Finalized;
    public static delegate* unmanaged<IntPtr, int*, int> Comm_rank;
    public static delegate* unmanaged<IntPtr, int*, int> Comm_size;
    public static delegate* unmanaged<IntPtr, int, int, IntPtr, IntPtr*, int> Comm_split_type;
    public static delegate* unmanaged<IntPtr*, int> Comm_free;
    public static delegate* unmanaged<IntPtr, IntPtr, int> Comm_set_errhandler;
    public static delegate* unmanaged<IntPtr, int> Barrier;
    public static delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast;
    public static delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public static delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int> Allgather;
    public static delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int> Allgatherv;
    public static delegate* unmanaged<IntPtr, int, int> Abort;
    public static delegate* unmanaged<int, byte*, int*, int> Error_string;
    public static delegate* unmanaged<byte*, int*, int> Get_library_version;

    static readonly object loadGate = new();
    static IntPtr library;

    public static void EnsureLoaded()
    {
        lock (loadGate)
        {
            if (library != IntPtr.Zero) return;
            if (!OperatingSystem.IsLinux())
                throw new PlatformNotSupportedException("Forge's MPI backend binds Open MPI's libmpi.so.40 and runs on Linux only.");
            var (handle, name) = LoadLibrary();
            try { Bind(handle); }
            catch (EntryPointNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"'{name}' is not Open MPI ({e.Message}). Forge's MPI backend needs Open MPI; MPICH and Intel MPI use " +
                    $"integer handles and are not supported. Install Open MPI (sudo scripts/ensure-deps.sh --mpi) or point {LibraryVariable} at Open MPI's libmpi.so.40.", e);
            }
            library = handle;
        }
    }

    static (IntPtr Handle, string Name) LoadLibrary()
    {
        var overridePath = Environment.GetEnvironmentVariable(LibraryVariable);
        var candidates = string.IsNullOrWhiteSpace(overridePath) ? LibraryNames : new[] { overridePath };
        foreach (var name in candidates)
        {
            var h = OpenGlobal(name);
            if (h == IntPtr.Zero && NativeLibrary.TryLoad(name, out var local)) h = local;
            if (h != IntPtr.Zero) return (h, name);
        }
        var where = string.IsNullOrWhiteSpace(overridePath) ? "libmpi.so.40 (Open MPI)" : $"'{overridePath}' (from {LibraryVariable})";
        throw new DllNotFoundException(
            $"Could not load {where}. Install Open MPI: sudo scripts/ensure-deps.sh --mpi " +
            $"(Debian/Ubuntu: apt-get install openmpi-bin), or set {LibraryVariable} to the full path of libmpi.so.40.");
    }

    // RTLD_GLOBAL so Open MPI builds whose plugins (mca_*.so) are not linked against libmpi can still resolve its symbols;
    // .NET's own loader opens libraries RTLD_LOCAL.
    const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    static IntPtr OpenGlobal(string name)
    {
        try { return DlOpen(name, RtldNow | RtldGlobal); }
        catch (DllNotFoundException) { return IntPtr.Zero; }      // not glibc (e.g. musl): fall back to NativeLibrary
        catch (EntryPointNotFoundException) { return IntPtr.Zero; }
    }

    static void Bind(IntPtr h)
    {
        CommWorld = NativeLibrary.GetExport(h, "ompi_mpi_comm_world");
        InfoNull = NativeLibrary.GetExport(h, "ompi_mpi_info_null");
        ErrorsReturn = NativeLibrary.GetExport(h, "ompi_mpi_errors_return");
        Byte = NativeLibrary.GetExport(h, "ompi_mpi_byte");
        Int64 = NativeLibrary.GetExport(h, "ompi_mpi_int64_t");
        Float = NativeLibrary.GetExport(h, "ompi_mpi_float");
        Double = NativeLibrary.GetExport(h, "ompi_mpi_double");
        OpSum = NativeLibrary.GetExport(h, "ompi_mpi_op_sum");
        OpMax = NativeLibrary.GetExport(h, "ompi_mpi_op_max");
        OpMin = NativeLibrary.GetExport(h, "ompi_mpi_op_min");

        Init_thread = (delegate* unmanaged<IntPtr, IntPtr, int, int*, int>)NativeLibrary.GetExport(h, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(h, "MPI_Initialized");
        Query_thread = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(h, "MPI_Query_thread");
        Finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(h, "MPI_Finalize");
        Finalized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(h, "MPI_Finalized");
        Comm_rank = (delegate* unmanaged<IntPtr, int*, int>)NativeLibrary.GetExport(h, "MPI_Comm_rank");
        Comm_size = (delegate* unmanaged<IntPtr, int*, int>)NativeLibrary.GetExport(h, "MPI_Comm_size");
        Comm_split_type = (delegate* unmanaged<IntPtr, int, int, IntPtr, IntPtr*, int>)NativeLibrary.GetExport(h, "MPI_Comm_split_type");
        Comm_free = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(h, "MPI_Comm_free");
        Comm_set_errhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Comm_set_errhandler");
        Barrier = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Barrier");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Bcast");
        Allreduce = (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Allreduce");
        Allgather = (delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Allgather");
        Allgatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int>)NativeLibrary.GetExport(h, "MPI_Allgatherv");
        Abort = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(h, "MPI_Abort");
        Error_string = (delegate* unmanaged<int, byte*, int*, int>)NativeLibrary.GetExport(h, "MPI_Error_string");
        Get_library_version = (delegate* unmanaged<byte*, int*, int>)NativeLibrary.GetExport(h, "MPI_Get_library_version");
    }

    /// <summary>MPI's text for an error code; never throws (used while reporting another failure).</summary>
    public static string ErrorText(int code)
    {
        if (Error_string == null) return $"error code {code}";
        byte* buf = stackalloc byte[MaxErrorString + 1];
        int len = 0;
        if (Error_string(code, buf, &len) != Success || len <= 0) return $"error code {code}";
        return $"{System.Text.Encoding.UTF8.GetString(buf, Math.Min(len, MaxErrorString)).TrimEnd('\0', ' ')} (code {code})";
    }

    public static string LibraryVersion()
    {
        byte* buf = stackalloc byte[MaxLibraryVersionString + 1];
        int len = 0;
        if (Get_library_version(buf, &len) != Success || len <= 0) return "unknown";
        var text = System.Text.Encoding.UTF8.GetString(buf, Math.Min(len, MaxLibraryVersionString)).TrimEnd('\0', ' ', '\n');
        int comma = text.IndexOf(',');
        return comma > 0 ? text[..comma] : text;
    }
}
