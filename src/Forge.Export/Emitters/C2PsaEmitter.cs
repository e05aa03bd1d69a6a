using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>YOLO11's <see cref="C2Psa"/>: cv1, Split into halves a and b, the PSABlock chain on b, cv2(Concat(a, m(b))).</summary>
internal sealed class C2PsaEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is C2Psa;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var c2psa = (C2Psa)module;
        var halves = ctx.Split(path, ctx.Emit(c2psa.Cv1, path + ".cv1", inputs[0]), 1, c2psa.Hidden, c2psa.Hidden);
        var b = ctx.Emit(c2psa.Blocks, path + ".m", halves[1]);
        return ctx.Emit(c2psa.Cv2, path + ".cv2", ctx.Concat(path, [halves[0], b], 1));
    }
}
