using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary><see cref="Bottleneck"/>: cv1, cv2, and an Add of the input when the block is residual.</summary>
internal sealed class BottleneckEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Bottleneck;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var block = (Bottleneck)module;
        var b = ctx.Emit(block.Cv2, path + ".cv2", ctx.Emit(block.Cv1, path + ".cv1", inputs[0]));
        return block.Residual ? ctx.Op("Add", path, [inputs[0], b]) : b;
    }
}
