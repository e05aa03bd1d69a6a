using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Forge.Export.Emitters;

/// <summary>A plain <c>nn.Conv2d</c> (with its bias), e.g. the last conv of each detection-head branch.</summary>
internal sealed class Conv2dEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Conv2d;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var conv = (Conv2d)module;
        return EmitConv(ctx, conv, ConvWeights.Of(conv, path), path, inputs[0]);
    }

    /// <summary>A Conv node with <paramref name="weights"/> as initializers <c>path.weight</c> and <c>path.bias</c>.</summary>
    /// <exception cref="NotSupportedException">Padding other than explicit zero padding.</exception>
    public static string EmitConv(EmitContext ctx, Conv2d conv, ConvWeights weights, string path, string input)
    {
        if (conv.padding_mode != TorchSharp.PaddingModes.Zeros || conv.padding_type is not null || conv.padding is null)
            throw new NotSupportedException($"{path}: only explicit zero padding is exported (padding_mode={conv.padding_mode}, padding_type={conv.padding_type})");
        var g = ctx.Graph;
        string w = g.Initializer(path + ".weight", weights.Weight, weights.WeightShape);
        string b = g.Initializer(path + ".bias", weights.Bias, weights.Bias.Length);
        long[] k = conv.kernel_size, p = conv.padding;
        return ctx.Op("Conv", path, [input, w, b],
            Attr.Ints("dilations", conv.dilation),
            Attr.Int("group", conv.groups),
            Attr.Ints("kernel_shape", k),
            Attr.Ints("pads", [.. p, .. p]),
            Attr.Ints("strides", conv.stride));
    }
}
