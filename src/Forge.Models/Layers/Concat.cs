using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>Concatenates its inputs along <see cref="Dimension"/> (1: channels), Ultralytics' <c>Concat</c>. No parameters.</summary>
public sealed class Concat : nn.Module<Tensor[], Tensor>
{
    public long Dimension { get; }

    public Concat(long dimension = 1) : base(nameof(Concat)) => Dimension = dimension;

    public override Tensor forward(Tensor[] inputs) => cat(inputs, Dimension);
}
