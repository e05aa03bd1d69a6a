using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// Sums a contiguous float32 device buffer across ranks, in place, without a trip through host memory. The CUDA path of
/// data-parallel training (<see cref="NcclAllReduce"/>); CPU tensors never use it: they go through <see cref="ICommunicator"/>.
/// </summary>
public interface IDeviceAllReduce : IDisposable
{
    void AllReduceSum(Tensor contiguousFloat32);
}
