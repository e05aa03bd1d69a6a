using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary><see cref="Sppf"/>: cv1, three chained MaxPools (k x k, stride 1, padding k/2), Concat of the four, cv2.</summary>
internal sealed class SppfEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Sppf;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var sppf = (Sppf)module;
        long k = sppf.Kernel, p = k / 2;
        var parts = new List<string> { ctx.Emit(sppf.Cv1, path + ".cv1", inputs[0]) };
        for (int i = 0; i < 3; i++)
            parts.Add(ctx.Op("MaxPool", path + ".m", [parts[^1]],
                Attr.Int("ceil_mode", 0), Attr.Ints("dilations", 1, 1), Attr.Ints("kernel_shape", k, k), Attr.Ints("pads", p, p, p, p), Attr.Ints("strides", 1, 1)));
        return ctx.Emit(sppf.Cv2, path + ".cv2", ctx.Concat(path, parts, 1));
    }
}
