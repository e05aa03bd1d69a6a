using System.Diagnostics.CodeAnalysis;

namespace Forge.Distributed;

/// <summary>A world of one: every collective leaves the data as it is, so single-process training runs the same code path.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    public int Rank => 0;
    public int WorldSize => 1;
    public int LocalRank => 0;
    public int LocalSize => 1;
    public bool IsMain => true;
    public string Backend => "single";

    public void Barrier() { }

    public void Broadcast<T>(Span<T> data, int root) where T : unmanaged => CheckRoot(root);

    public void AllReduceSum(Span<float> data) { }
    public void AllReduceSum(Span<double> data) { }
    public void AllReduceSum(Span<long> data) { }
    public void AllReduceMax(Span<double> data) { }
    public void AllReduceMax(Span<long> data) { }
    public void AllReduceMin(Span<double> data) { }
    public void AllReduceMin(Span<long> data) { }

    public T[] AllGather<T>(T value) where T : unmanaged => new[] { value };

    public byte[][] AllGatherBytes(ReadOnlySpan<byte> data) => new[] { data.ToArray() };

    [DoesNotReturn]
    public void Abort(int errorCode, string message)
    {
        Console.Error.WriteLine($"rank 0: {message}");
        Console.Error.Flush();
        Environment.Exit(errorCode);
        throw new InvalidOperationException("unreachable: Environment.Exit returned");
    }

    public void Dispose() { }

    static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "root must be 0 in a single-process world");
    }
}
