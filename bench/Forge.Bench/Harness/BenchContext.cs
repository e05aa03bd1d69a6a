using Forge.Distributed;

namespace Forge.Bench.Harness;

/// <summary>What a running benchmark gets: its settings, the process group, and where rank 0 prints.</summary>
public sealed class BenchContext(BenchArgs args, ICommunicator comm, TextWriter output)
{
    public BenchArgs Args { get; } = args;
    public ICommunicator Comm { get; } = comm;
    /// <summary>Rank 0's console; other ranks write nowhere, so tables appear once.</summary>
    public TextWriter Out { get; } = comm.IsMain ? output : TextWriter.Null;
    /// <summary>Intra-op threads each rank uses (the threads= setting, else cores shared by the ranks on this machine).</summary>
    public int Threads => TorchSharp.torch.get_num_threads();
}
