using Forge.Distributed;

namespace Forge.Distributed.Tests;

/// <summary>
/// Rank 0 of a two-rank job without a second process: <see cref="HostFloatSum"/> stands for the float all-reduce (for example
/// adding the other rank's packed bucket); unset, a float all-reduce fails the test. Other collectives are not expected.
/// </summary>
internal sealed class RankZeroOfTwo : ICommunicator
{
    public delegate void FloatSum(Span<float> data);

    public FloatSum? HostFloatSum { get; set; }
    public int Rank => 0;
    public int WorldSize => 2;
    public int LocalRank => 0;
    public int LocalSize => 2;
    public bool IsMain => true;
    public string Backend => "stub";
    public void Barrier() { }
    public void Broadcast<T>(Span<T> data, int root) where T : unmanaged { }
    public void AllReduceSum(Span<float> data)
    {
        if (HostFloatSum is null) throw new InvalidOperationException("this path must not use the host all-reduce");
        HostFloatSum(data);
    }
    public void AllReduceSum(Span<double> data) => throw new NotSupportedException();
    public void AllReduceSum(Span<long> data) => throw new NotSupportedException();
    public void AllReduceMax(Span<double> data) => throw new NotSupportedException();
    public void AllReduceMax(Span<long> data) => throw new NotSupportedException();
    public void AllReduceMin(Span<double> data) => throw new NotSupportedException();
    public void AllReduceMin(Span<long> data) => throw new NotSupportedException();
    public T[] AllGather<T>(T value) where T : unmanaged => [value, value];
    public byte[][] AllGatherBytes(ReadOnlySpan<byte> data) => [data.ToArray(), data.ToArray()];
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Abort(int errorCode, string message) => throw new InvalidOperationException(message);
    public void Dispose() { }
}
