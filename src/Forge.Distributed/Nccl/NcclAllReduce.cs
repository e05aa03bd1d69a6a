using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// NCCL all-reduce for gradients on CUDA: rank 0 creates the NCCL id, the MPI communicator broadcasts it (MPI is still
/// what starts and coordinates the processes), every rank joins with ncclCommInitRank on the GPU it sees, and each bucket
/// is summed in place on the device. Each rank must see exactly its own GPU as cuda:0 (see <see cref="CudaVisibility"/>).
/// <para>Compiled in, not exercised on this project's CPU-only test machines: enable with a CUDA build of libtorch
/// (<c>-p:ForgeTorchBackend=cuda</c>) and device=cuda; FORGE_DDP_BACKEND=mpi falls back to host staging.</para>
/// </summary>
public sealed class NcclAllReduce : IDeviceAllReduce
{
    IntPtr comm;

    public NcclAllReduce(ICommunicator hostCommunicator)
    {
        var id = hostCommunicator.IsMain ? NcclNative.GetUniqueId() : default;
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref id, 1));
        hostCommunicator.Broadcast(bytes, root: 0);
        comm = NcclNative.CommInitRank(hostCommunicator.WorldSize, id, hostCommunicator.Rank);
    }

    public void AllReduceSum(Tensor buffer)
    {
        if (buffer.device_type != DeviceType.CUDA || buffer.dtype != ScalarType.Float32 || !buffer.is_contiguous())
            throw new ArgumentException("NCCL all-reduce needs a contiguous float32 CUDA tensor");
        NcclNative.AllReduce(DataPointer(buffer), buffer.NumberOfElements, comm, IntPtr.Zero);
    }

    /// <summary>The tensor's storage address (on the device for CUDA tensors), from TorchSharp's native library.</summary>
    static IntPtr DataPointer(Tensor t) => THSTensor_data(t.Handle);

    [DllImport("LibTorchSharp")] static extern IntPtr THSTensor_data(IntPtr handle);

    public void Dispose()
    {
        if (comm == IntPtr.Zero) return;
        NcclNative.CommDestroy(comm);
        comm = IntPtr.Zero;
    }
}

/// <summary>One GPU per rank: before CUDA starts, each rank hides every GPU but its local rank's, so all use cuda:0.</summary>
public static class CudaVisibility
{
    /// <summary>Sets CUDA_VISIBLE_DEVICES=localRank in the native environment unless the launcher already set it.</summary>
    public static void PinLocalRank(int localRank)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"))) return;
        // .NET keeps its own copy of the environment; the CUDA runtime reads the C library's.
        setenv("CUDA_VISIBLE_DEVICES", localRank.ToString(System.Globalization.CultureInfo.InvariantCulture), 1);
        Environment.SetEnvironmentVariable("CUDA_VISIBLE_DEVICES", localRank.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [DllImport("libc")] static extern int setenv(string name, string value, int overwrite);
}
