
namespace Forge.Export.Emitters;

/// <summary>
/// Anchor points (cell centres in grid units, (1, 2, anchors)) and anchor strides ((1, 1, anchors), pixels) for the
/// detection head, level after level, row-major within a level (Ultralytics' make_anchors with offset 0.5).
/// </summary>
internal static class AnchorEmitter
{
    /// <summary>Constants for a fixed input size (level sizes ceil(H/stride) x ceil(W/stride)).</summary>
    public static (string Anchors, string Strides) Constant(EmitContext ctx, string path, int height, int width, IReadOnlyList<int> strides)
    {
        var points = new List<float>();
        var ys = new List<float>();
        var perAnchorStride = new List<float>();
        foreach (int s in strides)
        {
            int h = (height + s - 1) / s, w = (width + s - 1) / s;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    points.Add(x + 0.5f);
                    ys.Add(y + 0.5f);
                    perAnchorStride.Add(s);
                }
        }
        int n = perAnchorStride.Count;
        points.AddRange(ys);   // (2, A): all x, then all y
        return (ctx.Graph.Initializer(path + ".anchors", points.ToArray(), 1, 2, n),
                ctx.Graph.Initializer(path + ".strides", perAnchorStride.ToArray(), 1, 1, n));
    }

    /// <summary>Computed in the graph from each level's feature map shape, for dynamic image sizes (Shape, Range, Expand).</summary>
    public static (string Anchors, string Strides) FromFeatureShapes(EmitContext ctx, string path, IReadOnlyList<string> features, IReadOnlyList<int> strides)
    {
        var g = ctx.Graph;
        var points = new string[features.Count];
        var strideRows = new string[features.Count];
        string p = path + ".anchors";
        for (int i = 0; i < features.Count; i++)
        {
            var shape = ctx.Op("Shape", p, [features[i]]);
            var hw = ctx.Op("Slice", p, [shape, g.Int64s(2), g.Int64s(4), g.Int64s(0)]);
            var xs = Centres(ctx, p, ctx.Op("Gather", p, [shape, g.Int64Scalar(3)], Attr.Int("axis", 0)));
            var ys = Centres(ctx, p, ctx.Op("Gather", p, [shape, g.Int64Scalar(2)], Attr.Int("axis", 0)));
            var gx = ctx.Reshape(p, ctx.Op("Expand", p, [ctx.Unsqueeze(p, xs, 0), hw]), 1, 1, -1);   // x varies along a row
            var gy = ctx.Reshape(p, ctx.Op("Expand", p, [ctx.Unsqueeze(p, ys, 1), hw]), 1, 1, -1);   // y along a column
            points[i] = ctx.Concat(p, [gx, gy], 1);
            strideRows[i] = ctx.Op("Expand", p, [g.FloatScalar(strides[i], 1, 1, 1), ctx.Op("Shape", p, [gx])]);
        }
        return (ctx.Concat(p, points, 2), ctx.Concat(p, strideRows, 2));
    }

    /// <summary>0.5, 1.5, ..., n - 0.5 as float for a 0-d int64 count n.</summary>
    static string Centres(EmitContext ctx, string path, string count)
    {
        var g = ctx.Graph;
        var range = ctx.Op("Range", path, [g.Int64Scalar(0), count, g.Int64Scalar(1)]);
        return ctx.Op("Add", path, [ctx.Op("Cast", path, [range], Attr.Int("to", (int)global::Onnx.TensorProto.Types.DataType.Float)), g.FloatScalar(0.5f)]);
    }
}
