using System.Runtime.InteropServices;

namespace Forge.Training.Tests;

/// <summary>ProcessMemory.KeepLargeBlocksInHeap: large native blocks come from malloc's heap, not a fresh mmap each time.</summary>
public class AllocatorSettingsTests
{
    /// <summary>
    /// glibc marks a chunk it mapped on its own with the IS_MMAPPED bit (0x2) of the size word just before the pointer it
    /// hands out (malloc/malloc.c, "chunk representations"); this reads that bit for one allocation of its own, so other
    /// tests allocating meanwhile cannot change the answer.
    /// </summary>
    static unsafe bool ServedByItsOwnMmap(nuint bytes)
    {
        void* p = NativeMemory.Alloc(bytes);
        try { return (((ulong*)p)[-1] & 0x2) != 0; }
        finally { NativeMemory.Free(p); }
    }

    [Fact]
    public void A40MegabyteBlockComesFromTheHeapOnceTheThresholdsAreSet()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(ServedByItsOwnMmap(300u << 20), "glibc maps a block above every threshold on its own (the bit test works)");
        if (ProcessMemory.UserChoseMallocSettings(Environment.GetEnvironmentVariable))
        {
            Assert.False(ProcessMemory.KeepLargeBlocksInHeap());   // the user's settings stand
            return;
        }
        Assert.True(ProcessMemory.KeepLargeBlocksInHeap());
        Assert.False(ServedByItsOwnMmap(40u << 20), "a 40 MB block (a 416 px, batch 16 activation) should come from the heap");
    }

    /// <summary>
    /// AutoBatch measures each trial with a 16 KiB mmap threshold (new blocks are then mapped, so a trial's memory leaves with
    /// it; malloc still serves a request from free space its heap already holds, so no block size is sure to be mapped here),
    /// then restores the training setting.
    /// </summary>
    [Fact]
    public void AutoBatchsLowThresholdIsTakenAndTheTrainingSettingComesBack()
    {
        if (!OperatingSystem.IsLinux() || ProcessMemory.UserChoseMallocSettings(Environment.GetEnvironmentVariable)) return;
        try { Assert.True(ProcessMemory.SetMmapThreshold(16 << 10), "glibc refused M_MMAP_THRESHOLD=16 KiB"); }
        finally { Assert.True(ProcessMemory.KeepLargeBlocksInHeap()); }
        Assert.False(ServedByItsOwnMmap(40u << 20), "a 40 MB block should come from the heap again");
    }

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "1048576", true)]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536", true)]
    [InlineData("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F", false)]
    [InlineData("OMP_NUM_THREADS", "2", false)]
    public void TheUsersOwnMallocSettingsAreLeftAlone(string name, string value, bool chosen)
    {
        Assert.Equal(chosen, ProcessMemory.UserChoseMallocSettings(n => n == name ? value : null));
    }
}
