using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// <see cref="C2f"/>: cv1, Split into two halves, each bottleneck of <c>m</c> on the last output, Concat of all parts, cv2
/// (Ultralytics exports C2f through <c>forward_split</c>: a Split node rather than chunk's Slices).
/// </summary>
internal sealed class C2fEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is C2f;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var cv1 = EmitContext.Child<ConvBnAct>(module, path, "cv1");
        long half = cv1.OutChannels / 2;
        var parts = new List<string>(ctx.Split(path, ctx.Emit(cv1, path + ".cv1", inputs[0]), 1, half, half));
        foreach (var (name, block) in EmitContext.Children(EmitContext.Child<nn.Module>(module, path, "m")))
            parts.Add(ctx.Emit(block, $"{path}.m.{name}", parts[^1]));
        return ctx.Emit(EmitContext.Child<ConvBnAct>(module, path, "cv2"), path + ".cv2", ctx.Concat(path, parts, 1));
    }
}
