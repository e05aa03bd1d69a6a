using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary><see cref="C3"/> and YOLO11's <see cref="C3k"/>: cv3(Concat(m(cv1(x)), cv2(x))), m a chain of Bottlenecks.</summary>
internal sealed class C3Emitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is C3;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var c3 = (C3)module;
        var a = ctx.Emit(c3.Blocks, path + ".m", ctx.Emit(c3.Cv1, path + ".cv1", inputs[0]));
        var b = ctx.Emit(c3.Cv2, path + ".cv2", inputs[0]);
        return ctx.Emit(c3.Cv3, path + ".cv3", ctx.Concat(path, [a, b], 1));
    }
}
