using Forge.Training;

namespace Forge.Training.Tests;

/// <summary>
/// DeviceSelector.IntraOpThreads: the threads setting as the count libtorch and ONNX Runtime are given (threads=0 is never
/// passed on as 0, which ONNX Runtime would read as its own pinned default).
/// </summary>
public class IntraOpThreadsTests
{
    [Fact]
    public void A_set_count_is_kept_and_zero_shares_this_processes_cores_among_the_ranks_on_the_machine()
    {
        int cores = Environment.ProcessorCount;
        Assert.Equal(3, DeviceSelector.IntraOpThreads(3));
        Assert.Equal(3, DeviceSelector.IntraOpThreads(3, processesOnThisMachine: 4));
        Assert.Equal(cores, DeviceSelector.IntraOpThreads(0));
        Assert.Equal(Math.Max(1, cores / 2), DeviceSelector.IntraOpThreads(0, processesOnThisMachine: 2));
        Assert.Equal(1, DeviceSelector.IntraOpThreads(0, processesOnThisMachine: cores + 1));
        Assert.Equal(cores, DeviceSelector.IntraOpThreads(0, processesOnThisMachine: 0));
    }
}
