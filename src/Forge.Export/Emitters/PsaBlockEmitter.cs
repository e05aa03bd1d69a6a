using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary><see cref="PsaBlock"/>: y = x + attn(x), then y + ffn(y) (without the Adds when the block is not residual).</summary>
internal sealed class PsaBlockEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is PsaBlock;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var block = (PsaBlock)module;
        var a = ctx.Emit(block.Attention, path + ".attn", inputs[0]);
        var y = block.Residual ? ctx.Op("Add", path, [inputs[0], a]) : a;
        var f = ctx.Emit(block.FeedForward, path + ".ffn", y);
        return block.Residual ? ctx.Op("Add", path, [y, f]) : f;
    }
}
