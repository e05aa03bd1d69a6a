using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Forge.Export.Emitters;

/// <summary>
/// <c>nn.Upsample</c> with nearest mode and scale factors: Resize with scales (1, 1, sh, sw), asymmetric coordinates and
/// floor rounding, which is PyTorch's 'nearest' (what torch.onnx writes for it).
/// </summary>
internal sealed class UpsampleEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Upsample;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var up = (Upsample)module;
        var scale = up.scale_factor.ToArray();
        if (up.mode != UpsampleMode.Nearest || scale.Length is not (1 or 2) || !up.size.IsEmpty)
            throw new NotSupportedException($"{path}: only nearest upsampling by scale factors is exported (mode {up.mode}, {scale.Length} factors, size [{string.Join(", ", up.size.ToArray())}])");
        float sh = (float)scale[0], sw = (float)scale[^1];
        string scales = ctx.Graph.Initializer(path + ".scales", [1f, 1f, sh, sw], 4);
        return ctx.Op("Resize", path, [inputs[0], "", scales],
            Attr.String("coordinate_transformation_mode", "asymmetric"),
            Attr.String("mode", "nearest"),
            Attr.String("nearest_mode", "floor"));
    }
}
