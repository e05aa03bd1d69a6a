using System.Runtime.InteropServices;

namespace Forge.Training;

/// <summary>Resident memory of this process (managed heap plus native tensors), for the per-epoch memory column.</summary>
public static partial class ProcessMemory
{
    public static double ResidentMegabytes()
    {
        // /proc/self/statm reports current RSS in pages; Process.WorkingSet64 caches and is slower.
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1]) * Environment.SystemPageSize / (1024.0 * 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            using var p = System.Diagnostics.Process.GetCurrentProcess();
            return p.WorkingSet64 / (1024.0 * 1024.0);
        }
    }

    /// <summary>
    /// Where the memory is, MiB: the .NET heap (<see cref="GC.GetGCMemoryInfo()"/>), and glibc malloc's (native tensors, OpenCV
    /// images) bytes in use and bytes free but still held by the allocator (<c>mallinfo2</c>: uordblks + hblkhd, fordblks).
    /// Null off glibc (the native figures are then unknown).
    /// </summary>
    public static MemoryBreakdown? Breakdown()
    {
        double managed = GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024.0);
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var m = mallinfo2();
            const double mb = 1024.0 * 1024.0;
            return new MemoryBreakdown(managed, (double)(m.Uordblks + m.Hblkhd) / mb, m.Fordblks / mb);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc.so.6")]
    private static partial MallInfo2 mallinfo2();

    /// <summary>
    /// Hands the pages glibc malloc holds free (inside its heaps too, not only at their tops) back to the system
    /// (<c>malloc_trim(0)</c>); a no-op off glibc. The trainer calls it once, when the training loop ends: the final validation
    /// then starts from what is in use rather than from the steps' high-water mark (without it, 0.15 GB above the training's
    /// peak on issue 13's workload). Not between epochs: the next epoch's steps would fault the same pages in again (~0.2
    /// million page faults per epoch and ~5% of the epoch time there, bench/README.md, tenth session).
    /// </summary>
    public static void ReleaseFreeNativeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc.so.6")]
    private static partial int malloc_trim(nuint pad);

    /// <summary>
    /// Lets glibc malloc keep blocks of up to <paramref name="mmapThreshold"/> bytes in its heap, and up to
    /// <paramref name="trimThreshold"/> bytes free at a heap's top (mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD). By
    /// default glibc serves every block above a threshold that grows to at most 32 MiB with its own mmap and unmaps it when
    /// it is freed, and gives a heap's top back once 128 KiB are free there; the largest tensors of a training step (the first
    /// layers' activations and their gradients: 44 MB at 416 px and batch 16, 105 MB at 640) were then mapped, zero-filled by
    /// the kernel and unmapped again on every step, which shows as system CPU time. Kept in the heap they are reused from step
    /// to step; <see cref="ReleaseFreeNativeMemory"/> hands the free pages back when training ends. The trim threshold is 512 MiB:
    /// with 128 MiB, in about half the runs the heap's top went back to the kernel after steps (a step frees ~1 GB of
    /// activations) and was faulted in again on the next: 1.4-2.3 million page faults and 13-20 s of system CPU time in two
    /// epochs of issue 13's workload against 0.73-0.80 million and 6.5-8.6 s, those runs 25-40% slower, at the same peak
    /// (bench/README.md, eighth session): the peak is set inside the step, above what stays free after it. Blocks above the threshold
    /// (and, off the main thread, above a thread heap's 64 MiB) are still mapped. A no-op off glibc, and when the user chose
    /// malloc settings (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, or glibc.malloc tunables in GLIBC_TUNABLES).
    /// </summary>
    /// <returns>Whether both thresholds were set.</returns>
    public static bool KeepLargeBlocksInHeap(int mmapThreshold = 256 << 20, int trimThreshold = 512 << 20)
    {
        if (!OperatingSystem.IsLinux() || UserChoseMallocSettings(Environment.GetEnvironmentVariable)) return false;
        try
        {
            bool mmapSet = mallopt(MmapThresholdParam, mmapThreshold) == 1;
            bool trimSet = mallopt(TrimThresholdParam, trimThreshold) == 1;
            return mmapSet && trimSet;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>
    /// Sets glibc malloc's mmap threshold alone (mallopt M_MMAP_THRESHOLD, bytes): blocks above it are mapped on allocation
    /// and unmapped when freed. AutoBatch lowers it to measure each trial's own peak. A no-op off glibc.
    /// </summary>
    /// <returns>Whether glibc took the setting.</returns>
    internal static bool SetMmapThreshold(int bytes)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return mallopt(MmapThresholdParam, bytes) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>glibc's largest dynamic mmap threshold (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit, malloc.c), bytes.</summary>
    internal const int GlibcMaxDynamicMmapThreshold = 32 << 20;

    /// <summary>Whether the environment already sets glibc malloc's thresholds (then Forge leaves them alone).</summary>
    public static bool UserChoseMallocSettings(Func<string, string?> environment) =>
        environment("MALLOC_MMAP_THRESHOLD_") is not null || environment("MALLOC_TRIM_THRESHOLD_") is not null
        || (environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) ?? false);

    const int TrimThresholdParam = -1, MmapThresholdParam = -3;   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}

/// <summary>Memory by owner, MiB (see <see cref="ProcessMemory.Breakdown"/>).</summary>
/// <param name="ManagedHeap">The .NET GC heap.</param>
/// <param name="NativeInUse">glibc malloc: bytes handed out and not freed (tensors, OpenCV images, library state).</param>
/// <param name="NativeFreeHeld">glibc malloc: freed bytes the allocator keeps (fragmentation and arena slack).</param>
public sealed record MemoryBreakdown(double ManagedHeap, double NativeInUse, double NativeFreeHeld);
