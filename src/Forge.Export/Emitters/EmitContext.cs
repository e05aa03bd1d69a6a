using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// What emitters share while one graph is built: the graph, the emitter registry (for child modules), node naming in the
/// style of PyTorch's exporter (<c>/model.2/cv1/conv/Conv</c>) and small op helpers in their op-set 13+ form (the oldest op-set exported).
/// </summary>
internal sealed class EmitContext(OnnxGraphBuilder graph, ModuleEmitters emitters, InputShape shape)
{
    public OnnxGraphBuilder Graph => graph;

    /// <summary>The input size the graph is built for (fixed, or dynamic with a reference size).</summary>
    public InputShape Shape => shape;

    /// <summary>Emits <paramref name="module"/> with the emitter registered for its type.</summary>
    /// <exception cref="NotSupportedException">No emitter handles the module's type.</exception>
    public string Emit(nn.Module module, string path, params string[] inputs) => emitters.For(module, path).Emit(this, module, path, inputs);

    public static string NodeName(string path, string op) => "/" + path.Replace('.', '/') + "/" + op;

    /// <summary>One node with one output, named after the module path and the operator.</summary>
    public string Op(string op, string path, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        graph.Node(op, NodeName(path, op), inputs, attributes);

    /// <summary>Split along <paramref name="axis"/> into parts of the given sizes (an input, as from op-set 13 on).</summary>
    public string[] Split(string path, string input, long axis, params long[] sizes) =>
        graph.Node("Split", NodeName(path, "Split"), [input, graph.Int64s(sizes)], sizes.Length, [Attr.Int("axis", axis)]);

    /// <summary>Unsqueeze at the given axes (an input, as from op-set 13 on).</summary>
    public string Unsqueeze(string path, string input, params long[] axes) => Op("Unsqueeze", path, [input, graph.Int64s(axes)]);

    public string Concat(string path, IReadOnlyList<string> inputs, long axis) => Op("Concat", path, inputs, Attr.Int("axis", axis));

    public string Reshape(string path, string input, params long[] shape) => Op("Reshape", path, [input, graph.Int64s(shape)]);

    /// <summary>The direct child called <paramref name="name"/> of a module, typed.</summary>
    /// <exception cref="InvalidOperationException">No such child, or not of the expected type.</exception>
    public static T Child<T>(nn.Module module, string path, string name) where T : nn.Module
    {
        foreach (var (n, child) in module.named_children())
            if (n == name)
                return child as T ?? throw new InvalidOperationException($"{path}.{name} is a {child.GetType().Name}, expected {typeof(T).Name}");
        throw new InvalidOperationException($"{path} ({module.GetType().Name}) has no child module '{name}'");
    }

    /// <summary>The direct children of a module in registration order (a ModuleList's or Sequential's items).</summary>
    public static List<(string Name, nn.Module Module)> Children(nn.Module module) => module.named_children().ToList();
}
