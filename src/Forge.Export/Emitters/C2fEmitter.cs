using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// <see cref="C2f"/> and YOLO11's <see cref="C3k2"/> (a C2f with other blocks): cv1, Split into two halves, each block of
/// <c>m</c> on the last output, Concat of all parts, cv2 (Ultralytics exports C2f through <c>forward_split</c>: a Split node
/// rather than chunk's Slices).
/// </summary>
internal sealed class C2fEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is C2f;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var c2f = (C2f)module;
        var parts = new List<string>(ctx.Split(path, ctx.Emit(c2f.Cv1, path + ".cv1", inputs[0]), 1, c2f.Hidden, c2f.Hidden));
        for (int i = 0; i < c2f.Blocks.Count; i++) parts.Add(ctx.Emit(c2f.Blocks[i], $"{path}.m.{i}", parts[^1]));
        return ctx.Emit(c2f.Cv2, path + ".cv2", ctx.Concat(path, parts, 1));
    }
}
