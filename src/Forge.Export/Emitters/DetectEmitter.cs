using Forge.Models.Layers;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Forge.Export.Emitters;

/// <summary>
/// The detection head with Ultralytics' export-time decoding (Detect._inference in ultralytics/nn/modules/head.py): per level
/// Concat(box branch, class branch) reshaped to (B, no, H*W); the levels concatenated to (B, no, anchors); Split into
/// 4*reg_max distribution logits and class logits; DFL to distances; dist2bbox around the anchor points (centre x, y,
/// width, height) times each anchor's stride; Sigmoid of the class logits; Concat to (B, 4 + nc, anchors).
/// Anchor points and strides are constants for a fixed image size and computed from each level's shape when dynamic.
/// </summary>
internal sealed class DetectEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is DetectHead;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var head = (DetectHead)module;
        int levels = head.Strides.Count;
        if (inputs.Count != levels) throw new InvalidOperationException($"{path}: {inputs.Count} inputs for a head with {levels} levels");
        var boxBranches = EmitContext.Children(EmitContext.Child<nn.Module>(head, path, "cv2"));
        var classBranches = EmitContext.Children(EmitContext.Child<nn.Module>(head, path, "cv3"));
        var flat = new string[levels];
        for (int i = 0; i < levels; i++)
        {
            var box = ctx.Emit(boxBranches[i].Module, $"{path}.cv2.{i}", inputs[i]);
            var cls = ctx.Emit(classBranches[i].Module, $"{path}.cv3.{i}", inputs[i]);
            flat[i] = ctx.Reshape(path, ctx.Concat(path, [box, cls], 1), 0, head.Outputs, -1);
        }
        var parts = ctx.Split(path, ctx.Concat(path, flat, 2), 1, 4L * head.RegMax, head.NumClasses);
        var distances = Dfl(ctx, EmitContext.Child<DistributionFocalIntegral>(head, path, "dfl"), path + ".dfl", parts[0], head.RegMax);
        var (anchors, strides) = ctx.Shape.Dynamic
            ? AnchorEmitter.FromFeatureShapes(ctx, path, inputs, head.Strides)
            : AnchorEmitter.Constant(ctx, path, ctx.Shape.Height, ctx.Shape.Width, head.Strides);
        var boxes = ctx.Op("Mul", path, [DistanceToBox(ctx, path, distances, anchors), strides]);
        return ctx.Concat(path, [boxes, ctx.Op("Sigmoid", path, [parts[1]])], 1);
    }

    /// <summary>(B, 4*regMax, A) logits → (B, 4, A) expected distances: softmax over the bins, then the fixed 1x1 conv 0..regMax-1.</summary>
    static string Dfl(EmitContext ctx, DistributionFocalIntegral dfl, string path, string logits, int regMax)
    {
        var conv = EmitContext.Child<Conv2d>(dfl, path, "conv");
        var w = ConvWeights.Of(conv, path + ".conv");
        string weight = ctx.Graph.Initializer(path + ".conv.weight", w.Weight, w.WeightShape);
        var x = ctx.Reshape(path, logits, 0, 4, regMax, -1);
        x = ctx.Op("Transpose", path, [x], Attr.Ints("perm", 0, 2, 1, 3));
        x = ctx.Op("Softmax", path, [x], Attr.Int("axis", 1));
        x = ctx.Op("Conv", path + ".conv", [x, weight],
            Attr.Ints("dilations", 1, 1), Attr.Int("group", 1), Attr.Ints("kernel_shape", 1, 1), Attr.Ints("pads", 0, 0, 0, 0), Attr.Ints("strides", 1, 1));
        return ctx.Reshape(path, x, 0, 4, -1);
    }

    /// <summary>dist2bbox with xywh=True (ultralytics/utils/tal.py): centre = ((a - lt) + (a + rb)) / 2, size = (a + rb) - (a - lt).</summary>
    static string DistanceToBox(EmitContext ctx, string path, string distances, string anchors)
    {
        var lr = ctx.Split(path, distances, 1, 2, 2);
        var x1y1 = ctx.Op("Sub", path, [anchors, lr[0]]);
        var x2y2 = ctx.Op("Add", path, [anchors, lr[1]]);
        var centre = ctx.Op("Div", path, [ctx.Op("Add", path, [x1y1, x2y2]), ctx.Graph.FloatScalar(2f)]);
        var size = ctx.Op("Sub", path, [x2y2, x1y1]);
        return ctx.Concat(path, [centre, size], 1);
    }
}
