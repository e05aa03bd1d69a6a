using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// YOLO11's <see cref="Attention"/> (ultralytics/nn/modules/block.py Attention.forward): qkv Conv+BN reshaped to
/// (B, heads, 2*KeyDim + HeadDim, H*W) and split into q, k, v; softmax(qᵀk * scale) over the last axis; v·attnᵀ reshaped
/// back to the input's shape plus the depthwise positional conv of v; proj. Shapes come from the input's Shape, so the
/// same nodes serve fixed and dynamic sizes.
/// </summary>
internal sealed class AttentionEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Attention;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var a = (Attention)module;
        string x = inputs[0];
        var qkv = ctx.Reshape(path, ctx.Emit(a.Qkv, path + ".qkv", x), 0, a.NumHeads, 2 * a.KeyDim + a.HeadDim, -1);
        var parts = ctx.Split(path, qkv, 2, a.KeyDim, a.KeyDim, a.HeadDim);
        string q = parts[0], k = parts[1], v = parts[2];
        var scores = ctx.Op("Mul", path, [ctx.Op("MatMul", path, [Transpose(ctx, path, q), k]), ctx.Graph.FloatScalar((float)a.Scale)]);
        var attn = ctx.Op("Softmax", path, [scores], Attr.Int("axis", -1));
        var inputShape = ctx.Op("Shape", path, [x]);
        var y = ctx.Op("Reshape", path, [ctx.Op("MatMul", path, [v, Transpose(ctx, path, attn)]), inputShape]);
        var pe = ctx.Emit(a.PositionalEncoding, path + ".pe", ctx.Op("Reshape", path, [v, inputShape]));
        return ctx.Emit(a.Proj, path + ".proj", ctx.Op("Add", path, [y, pe]));
    }

    /// <summary>Swaps the last two axes of a 4-D value.</summary>
    static string Transpose(EmitContext ctx, string path, string x) => ctx.Op("Transpose", path, [x], Attr.Ints("perm", 0, 1, 3, 2));
}
