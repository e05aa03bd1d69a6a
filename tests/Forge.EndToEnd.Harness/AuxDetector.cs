using Forge.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.EndToEnd.Harness;

/// <summary>A detector with an extra layer that takes no part in the forward pass: the case that breaks naive DDP.</summary>
public sealed class AuxDetector : YoloDetector
{
    readonly Conv2d aux_head;

    public AuxDetector(ModelScale scale, int numClasses) : base(scale, numClasses)
    {
        aux_head = nn.Conv2d(16, 16, 3, padding: 1);
        // The base class already registered its fields; a second RegisterComponents() call is a no-op.
        register_module(nameof(aux_head), aux_head);
    }
}
