using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// Averages gradients over ranks after <c>backward()</c>, the data-parallel step: gradients are packed into contiguous buckets
/// of the parameters' dtype (float32; float64 for exact tests), 25 MB by default (PyTorch DDP's size); each bucket is summed
/// with one all-reduce and divided by the world size in place; after the first step each .grad is its view of the bucket
/// (PyTorch DDP's gradient_as_bucket_view), so nothing is copied in or out. Buffers are allocated once. With one rank it does nothing (beyond the first-step unused-parameter report), so the
/// training loop calls it unconditionally.
/// </summary>
/// <remarks>
/// <para>Communication does not overlap backward: TorchSharp 0.107 exposes no per-tensor gradient hooks
/// (<c>register_hook</c> / <c>register_post_accumulate_grad_hook</c>), only module forward hooks, so the reducer cannot learn when a
/// bucket's gradients are final before <c>backward()</c> returns.</para>
/// <para>Unused parameters: a parameter without a gradient contributes zeros, and every bucket carries one "had a gradient" slot
/// per parameter in the same all-reduce, so all ranks agree every step at no extra cost: a parameter some rank used gets the
/// average everywhere; one no rank used keeps no gradient anywhere (the optimizer skips it). The names of parameters no rank
/// used are collected on the first call and then only every <c>recheckEvery</c> calls, and reported once on rank 0.</para>
/// </remarks>
public sealed class GradientBucketReducer : IDisposable
{
    public const long DefaultBucketBytes = 25L * 1024 * 1024;
    const int MaxNamesInWarning = 20;

    readonly ICommunicator comm;
    readonly GradientBucket[] buckets;
    readonly Scalar worldSize;
    readonly int recheckEvery;
    readonly Action<string> warn;
    readonly List<string> scratchUnused = new();
    string[] unused = Array.Empty<string>();
    string? lastReported;
    bool disposed;

    /// <summary>How many times <see cref="ReduceAndAverage"/> has run.</summary>
    public long Calls { get; private set; }
    public int BucketCount => buckets.Length;
    /// <summary>Parameter names in each bucket, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> BucketNames { get; }
    /// <summary>Parameters no rank produced a gradient for, as of the last check (first call, then every recheckEvery calls).</summary>
    public IReadOnlyList<string> UnusedParameters => unused;

    /// <param name="parameters">Trainable parameters with their module paths, in the same order on every rank.</param>
    /// <param name="bucketBytes">Target bucket size; a parameter larger than this gets a bucket of its own.</param>
    /// <param name="recheckEvery">Re-collect unused parameter names every this many calls (0: only on the first call).</param>
    /// <param name="warning">Receives the unused-parameter warning on rank 0 (default: stderr).</param>
    readonly IDeviceAllReduce? deviceAllReduce;

    /// <param name="deviceAllReduce">For CUDA parameters: sums buckets on the device (NCCL) instead of through host memory.</param>
    public GradientBucketReducer(ICommunicator communicator, IEnumerable<(string Name, Tensor Parameter)> parameters,
        long bucketBytes = DefaultBucketBytes, int recheckEvery = 0, Action<string>? warning = null, IDeviceAllReduce? deviceAllReduce = null)
    {
        this.deviceAllReduce = deviceAllReduce;
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, 4L);
        ArgumentOutOfRangeException.ThrowIfNegative(recheckEvery);
        comm = communicator;
        this.recheckEvery = recheckEvery;
        warn = warning ?? (message => Console.Error.WriteLine(message));
        var list = parameters.ToList();
        if (list.Count == 0) throw new ArgumentException("GradientBucketReducer needs at least one parameter.", nameof(parameters));
        var (device, dtype) = CheckParameters(list);
        // Every rank must bucket the same parameters in the same order, or sums would mix unrelated gradients silently.
        TensorCollectives.RequireSameStructure(list, comm, nameof(GradientBucketReducer));
        long elementSize = dtype == ScalarType.Float64 ? sizeof(double) : sizeof(float);
        buckets = Partition(list, Math.Max(1, bucketBytes / elementSize)).Select(members => new GradientBucket(members, device, dtype)).ToArray();
        BucketNames = buckets.Select(b => (IReadOnlyList<string>)b.Names).ToArray();
        worldSize = HeldScalars.Of((long)communicator.WorldSize);   // a field: held until Dispose (HeldScalars)
    }

    /// <summary>A reducer over all parameters of <paramref name="module"/> that require gradients, in registration order.</summary>
    public static GradientBucketReducer ForModule(nn.Module module, ICommunicator communicator,
        long bucketBytes = DefaultBucketBytes, int recheckEvery = 0, Action<string>? warning = null, IDeviceAllReduce? deviceAllReduce = null)
    {
        var trainable = new List<(string, Tensor)>();
        foreach (var (name, p) in module.named_parameters())
            if (p.requires_grad) trainable.Add((name, p));
        return new GradientBucketReducer(communicator, trainable, bucketBytes, recheckEvery, warning, deviceAllReduce);
    }

    /// <summary>Call after <c>backward()</c> and before the optimizer step, on every rank.</summary>
    public void ReduceAndAverage()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Calls++;
        bool check = Calls == 1 || (recheckEvery > 0 && Calls % recheckEvery == 0);
        scratchUnused.Clear();
        using var _ = no_grad();
        if (comm.WorldSize == 1)
        {
            if (check) foreach (var b in buckets) b.CollectMissing(scratchUnused);
        }
        else
        {
            foreach (var b in buckets)
            {
                if (deviceAllReduce is not null)
                {
                    b.ReduceOnDevice(deviceAllReduce, worldSize, check ? scratchUnused : null);
                    continue;
                }
                b.Gather();
                b.AllReduceOnHost(comm);
                b.Scatter(worldSize, check ? scratchUnused : null);
            }
        }
        if (check) Report();
    }

    void Report()
    {
        unused = scratchUnused.ToArray();
        string key = string.Join("\n", unused);
        if (unused.Length == 0 || key == lastReported) { lastReported = key; return; }
        lastReported = key;
        if (!comm.IsMain) return;
        var shown = string.Join(", ", unused.Take(MaxNamesInWarning));
        if (unused.Length > MaxNamesInWarning) shown += $", ... ({unused.Length - MaxNamesInWarning} more)";
        warn($"warning: {unused.Length} parameter(s) received no gradient on any rank at step {Calls}: {shown}. " +
             "They keep no gradient and are not updated; if they should train, make sure forward() uses them " +
             "(otherwise remove them: they still take space in every gradient all-reduce).");
    }

    static (Device Device, ScalarType Dtype) CheckParameters(List<(string Name, Tensor Parameter)> list)
    {
        Device? device = null;
        var dtype = list[0].Parameter.dtype;
        foreach (var (name, p) in list)
        {
            if (p.dtype is not (ScalarType.Float32 or ScalarType.Float64) || p.dtype != dtype)
                throw new NotSupportedException(
                    $"parameter '{name}' is {p.dtype} (the first is {dtype}); the gradient reducer averages float32 (or, for exact tests, float64) " +
                    "gradients of one dtype. Keep parameters in float32 (use autocast for mixed precision).");
            device ??= p.device;
            if (p.device.type != device.type || p.device.index != device.index)
                throw new NotSupportedException($"parameter '{name}' is on {p.device} but others are on {device}; data-parallel training uses one device per process.");
        }
        return (device!, dtype);
    }

    static List<List<(string, Tensor)>> Partition(List<(string Name, Tensor Parameter)> list, long capacity)
    {
        var result = new List<List<(string, Tensor)>>();
        var current = new List<(string, Tensor)>();
        long filled = 0;
        foreach (var item in list)
        {
            long n = item.Parameter.NumberOfElements;
            if (current.Count > 0 && filled + n > capacity)
            {
                result.Add(current);
                current = new();
                filled = 0;
            }
            current.Add(item);
            filled += n;
        }
        if (current.Count > 0) result.Add(current);
        return result;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var b in buckets) b.Dispose();
        worldSize.Dispose();
    }
}
