using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>Placeholder for the channel concatenations of the neck; it keeps the reference layer indices (the detector calls <c>cat</c> itself).</summary>
public sealed class Concat : nn.Module<Tensor, Tensor>
{
    public Concat() : base(nameof(Concat)) { }
    public override Tensor forward(Tensor x) => x.alias();
}
