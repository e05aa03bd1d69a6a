using Forge.Models;
using TorchSharp;
using TorchSharp.Modules;

namespace Forge.Bench.Workloads;

/// <summary>
/// A YOLOv8 with an extra convolution, <c>aux_head</c>, that forward() never uses: the case where naive data parallelism hangs
/// or fails because the layer's parameters get no gradient on any rank.
/// </summary>
public sealed class DetectorWithUnusedLayer : YoloDetector
{
    readonly Conv2d aux_head;

    public DetectorWithUnusedLayer(ModelScale scale, int numClasses) : base(scale, numClasses)
    {
        aux_head = torch.nn.Conv2d(16, 16, 3, padding: 1);
        register_module(nameof(aux_head), aux_head);
    }
}
