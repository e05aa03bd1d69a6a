using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// <see cref="Upsample"/> (the yamls' nn.Upsample, nearest x2): Resize with scales (1, 1, s, s), asymmetric coordinates and
/// floor rounding, which is PyTorch's 'nearest' (what torch.onnx writes for it).
/// </summary>
internal sealed class UpsampleEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Upsample;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var up = (Upsample)module;
        if (up.Mode != "nearest")
            throw new NotSupportedException($"{path}: nn.Upsample mode '{up.Mode}' is not exported; only 'nearest' (the one YOLO yamls use)");
        float s = (float)up.ScaleFactor;
        string scales = ctx.Graph.Initializer(path + ".scales", [1f, 1f, s, s], 4);
        return ctx.Op("Resize", path, [inputs[0], "", scales],
            Attr.String("coordinate_transformation_mode", "asymmetric"),
            Attr.String("mode", "nearest"),
            Attr.String("nearest_mode", "floor"));
    }
}
