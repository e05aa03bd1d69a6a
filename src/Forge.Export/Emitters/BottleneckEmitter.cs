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
        var a = ctx.Emit(EmitContext.Child<ConvBnAct>(block, path, "cv1"), path + ".cv1", inputs[0]);
        var b = ctx.Emit(EmitContext.Child<ConvBnAct>(block, path, "cv2"), path + ".cv2", a);
        return block.Residual ? ctx.Op("Add", path, [inputs[0], b]) : b;
    }
}
