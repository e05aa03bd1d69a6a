using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary><see cref="Concat"/>: its inputs (the layers named by the graph's 'from') along its dimension (channels).</summary>
internal sealed class ConcatEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Concat;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs) =>
        ctx.Concat(path, inputs, ((Concat)module).Dimension);
}
