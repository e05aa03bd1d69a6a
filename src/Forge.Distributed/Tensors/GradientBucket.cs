using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// One contiguous buffer (the parameters' dtype: float32, or float64 for exact equivalence tests) holding the gradients of a
/// run of parameters, followed by one "had a gradient" slot per parameter. The slots travel in the same all-reduce, so after it every rank knows how many ranks produced each gradient
/// at no extra communication. Buffers and per-parameter views are made once and reused every step.
/// </summary>
/// <remarks>
/// Gradients as bucket views (PyTorch DDP's <c>gradient_as_bucket_view=True</c>): after the first reduction each parameter's
/// <c>.grad</c> is its view of the bucket, so backward accumulates straight into the bucket (the optimizer's zero_grad zeroes
/// in place) and neither the copy in before the all-reduce nor the copy back after it is needed. A gradient that is not the
/// view (the first step, one loaded from a checkpoint, one a caller replaced) is copied in and the parameter re-pointed.
/// </remarks>
internal sealed class GradientBucket : IDisposable
{
    readonly Tensor[] parameters;
    readonly Tensor[] views;          // views of deviceFlat shaped like each parameter
    readonly long[] offsets;          // each view's element offset in deviceFlat
    readonly IntPtr bucketStorage;    // deviceFlat's storage, to recognise gradients that already are views of it
    readonly Tensor?[] grads;         // this step's gradient handles (TorchSharp hands out a new wrapper per .grad read)
    readonly bool[] gradIsView;       // whether grads[i] already is views[i] (found while packing, used when writing back)
    readonly Tensor deviceFlat;       // on the parameters' device
    readonly Tensor gradPart;         // deviceFlat without the slots
    readonly Tensor hostFlat;         // == deviceFlat on CPU; a host mirror for device parameters
    readonly Tensor? hostGradPart;
    readonly bool onCpu;
    readonly int gradElements;
    readonly ScalarType dtype;

    public string[] Names { get; }

    public GradientBucket(IReadOnlyList<(string Name, Tensor Parameter)> members, Device device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64)) throw new NotSupportedException($"gradient buckets hold float32 or float64, not {dtype}");
        this.dtype = dtype;
        Names = new string[members.Count];
        parameters = new Tensor[members.Count];
        views = new Tensor[members.Count];
        offsets = new long[members.Count];
        grads = new Tensor?[members.Count];
        gradIsView = new bool[members.Count];
        long elements = 0;
        for (int i = 0; i < members.Count; i++)
        {
            Names[i] = members[i].Name;
            parameters[i] = members[i].Parameter;
            elements += members[i].Parameter.NumberOfElements;
        }
        gradElements = checked((int)elements);
        int total = checked(gradElements + members.Count);
        onCpu = device.type == DeviceType.CPU;
        // The buffers live as long as the reducer: keep them out of any DisposeScope the caller has open.
        deviceFlat = zeros(total, dtype, device).DetachFromDisposeScope();
        gradPart = deviceFlat.narrow(0, 0, gradElements).DetachFromDisposeScope();
        long offset = 0;
        for (int i = 0; i < members.Count; i++)
        {
            var p = parameters[i];
            using var slice = deviceFlat.narrow(0, offset, p.NumberOfElements);
            views[i] = slice.view(p.shape).DetachFromDisposeScope();
            offsets[i] = offset;
            offset += p.NumberOfElements;
        }
        bucketStorage = StorageOf(deviceFlat);
        if (onCpu) hostFlat = deviceFlat;
        else
        {
            // Pinned so the device-to-host copies run at full bus speed.
            using var plain = zeros(total, dtype);
            hostFlat = plain.pin_memory().DetachFromDisposeScope();
            hostGradPart = hostFlat.narrow(0, 0, gradElements).DetachFromDisposeScope();
        }
    }

    /// <summary>Copies local gradients in (zeros where a parameter has none) and marks which parameters had one.</summary>
    public void Gather()
    {
        for (int i = 0; i < parameters.Length; i++) Pack(i);
        if (!onCpu) hostGradPart!.copy_(gradPart);
        for (int i = 0; i < grads.Length; i++) SetSlot(i, grads[i] is not null);
    }

    /// <summary>Sums the host buffer (gradients then slots) over the ranks of <paramref name="comm"/>, in place.</summary>
    public void AllReduceOnHost(ICommunicator comm)
    {
        if (dtype == ScalarType.Float64) comm.AllReduceSum(HostStaging.CpuSpan<double>(hostFlat));
        else comm.AllReduceSum(HostStaging.CpuSpan<float>(hostFlat));
    }

    void SetSlot(int i, bool had)
    {
        if (dtype == ScalarType.Float64) HostStaging.CpuSpan<double>(hostFlat)[gradElements + i] = had ? 1 : 0;
        else HostStaging.CpuSpan<float>(hostFlat)[gradElements + i] = had ? 1 : 0;
    }

    /// <summary>How many ranks had a gradient for parameter <paramref name="i"/> (after the all-reduce).</summary>
    double Slot(int i) => dtype == ScalarType.Float64
        ? HostStaging.CpuSpan<double>(hostFlat)[gradElements + i]
        : HostStaging.CpuSpan<float>(hostFlat)[gradElements + i];

    /// <summary>
    /// Divides the summed gradients by the world size and writes them back. A parameter without a local gradient gets the
    /// average when another rank had one (replicas stay identical); one that no rank produced keeps no gradient and its
    /// name is added to <paramref name="unused"/> when given.
    /// </summary>
    public void Scatter(Scalar worldSize, List<string>? unused)
    {
        if (!onCpu) gradPart.copy_(hostGradPart!);
        gradPart.div_(worldSize);
        WriteBack(unused);
    }

    /// <summary>Averaged gradients (in the device buffer) back to the parameters; slot counts (in the host buffer) decide the rest.</summary>
    void WriteBack(List<string>? unused)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var g = grads[i];
            if (g is not null)
            {
                if (!gradIsView[i]) parameters[i].grad = views[i];   // from now on backward accumulates into the bucket
                g.Dispose();
                grads[i] = null;
            }
            else if (Slot(i) > 0) parameters[i].grad = views[i];
            else unused?.Add(Names[i]);
        }
    }

    /// <summary>
    /// The CUDA path: gradients and slots are packed on the device and summed there by <paramref name="device"/> (NCCL), with
    /// only the per-parameter slots copied to the host to decide who had a gradient. Then as <see cref="Scatter"/>.
    /// </summary>
    public void ReduceOnDevice(IDeviceAllReduce device, Scalar worldSize, List<string>? unused)
    {
        var had = new float[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
            if (Pack(i)) had[i] = 1f;
        using (var slotsOnDevice = deviceFlat.narrow(0, gradElements, parameters.Length))
        using (var hadTensor = tensor(had).to(dtype))
            slotsOnDevice.copy_(hadTensor);
        device.AllReduceSum(deviceFlat);
        using (var slotsOnDevice = deviceFlat.narrow(0, gradElements, parameters.Length))
        using (var hostSlots = hostFlat.narrow(0, gradElements, parameters.Length))
            hostSlots.copy_(slotsOnDevice);
        gradPart.div_(worldSize);
        WriteBack(unused);
    }

    /// <summary>Parameter <paramref name="i"/>'s local gradient into its view of the bucket (zeros without one; nothing to copy
    /// when the gradient already is the view). Returns whether it had a gradient.</summary>
    bool Pack(int i)
    {
        var g = parameters[i].grad;
        grads[i] = g;
        gradIsView[i] = g is not null && IsView(g, i);
        if (g is null) views[i].zero_();
        else if (!gradIsView[i]) views[i].copy_(g);
        return g is not null;
    }

    /// <summary>Whether gradient <paramref name="g"/> is parameter <paramref name="i"/>'s view of this bucket (same storage and offset).</summary>
    bool IsView(Tensor g, int i) => g.storage_offset() == offsets[i] && StorageOf(g) == bucketStorage;

    IntPtr StorageOf(Tensor t)
    {
        using var scope = NewDisposeScope();   // storage<T>() makes a same-dtype to_type() wrapper that Storage.Dispose does not release
        if (dtype == ScalarType.Float64) { using var s = t.storage<double>(); return s.data_ptr(); }
        using var f = t.storage<float>();
        return f.data_ptr();
    }

    /// <summary>Single-process shortcut: nothing to reduce, only report parameters without a gradient.</summary>
    public void CollectMissing(List<string> unused)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            using var g = parameters[i].grad;
            if (g is null) unused.Add(Names[i]);
        }
    }

    public void Dispose()
    {
        foreach (var v in views) v.Dispose();
        foreach (var g in grads) g?.Dispose();
        hostGradPart?.Dispose();
        gradPart.Dispose();
        if (!ReferenceEquals(hostFlat, deviceFlat)) hostFlat.Dispose();
        deviceFlat.Dispose();
    }
}
