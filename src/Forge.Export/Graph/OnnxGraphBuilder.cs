using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Forge.Export;

/// <summary>
/// Builds one ONNX graph (<see cref="GraphProto"/>) node by node: unique value names, initializers from float and int64
/// arrays (little-endian raw data), a cache of small int64/float constants, and the op-set version emitters check when
/// an operator's inputs changed between op-sets.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    readonly HashSet<string> used = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> constantCache = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> opCounts = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new() { Name = "main_graph" };
    public int Opset { get; }

    /// <summary>How many nodes of each operator type the graph holds.</summary>
    public IReadOnlyDictionary<string, int> OpCounts => opCounts;

    public OnnxGraphBuilder(int opset)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not");
        Opset = opset;
    }

    /// <summary>A value or node name not used yet: <paramref name="hint"/> itself, else hint_1, hint_2, ...</summary>
    public string Unique(string hint)
    {
        if (used.Add(hint)) return hint;
        for (int i = 1; ; i++)
            if (used.Add($"{hint}_{i}")) return $"{hint}_{i}";
    }

    /// <summary>A float32 initializer; returns its (unique) name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Float, values, dims);

    /// <summary>An int64 initializer; returns its (unique) name.</summary>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Int64, values, dims);

    string Initializer<T>(string name, TensorProto.Types.DataType type, ReadOnlySpan<T> values, long[] dims) where T : unmanaged
    {
        CheckCount(name, values.Length, dims);
        var t = new TensorProto { Name = Unique(name), DataType = (int)type };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        Graph.Initializer.Add(t);
        return t.Name;
    }

    static void CheckCount(string name, int count, long[] dims)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n != count) throw new ArgumentException($"initializer {name}: {count} values for shape [{string.Join(", ", dims)}]");
    }

    /// <summary>A 1-D int64 constant (shared by every node that needs the same values), e.g. a Reshape target or Split sizes.</summary>
    public string Int64s(params long[] values) =>
        Cached("i64[" + string.Join(",", values) + "]", () => Initializer(ConstantName(values), values, values.Length));

    /// <summary>A 0-d int64 constant (Gather index, Range bounds).</summary>
    public string Int64Scalar(long value) =>
        Cached($"i64s{value}", () => Initializer($"const_i64_{value}", [value]));

    /// <summary>A float32 constant of the given shape filled with one value (e.g. [] for a scalar, [1, 1] for a row).</summary>
    public string FloatScalar(float value, params long[] dims) =>
        Cached($"f32{BitConverter.SingleToInt32Bits(value)}[{string.Join(",", dims)}]", () =>
        {
            long n = 1;
            foreach (var d in dims) n *= d;
            var data = Enumerable.Repeat(value, (int)n).ToArray();
            return Initializer($"const_f32_{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", data, dims);
        });

    static string ConstantName(long[] values) =>
        "const_i64_" + string.Join("_", values.Select(v => v < 0 ? "m" + (-v) : v.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    string Cached(string key, Func<string> create)
    {
        if (!constantCache.TryGetValue(key, out var name)) constantCache[key] = name = create();
        return name;
    }

    /// <summary>Adds a node with one output named after the node; returns the output name.</summary>
    /// <param name="name">Node name (scope/op, e.g. "model.0/Conv"); made unique.</param>
    /// <param name="output">The output value's name; default: the node name + "_output_0".</param>
    public string Node(string opType, string name, IReadOnlyList<string> inputs, IEnumerable<AttributeProto>? attributes = null, string? output = null) =>
        Node(opType, name, inputs, 1, attributes, output is null ? null : [output])[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string opType, string name, IReadOnlyList<string> inputs, int outputs, IEnumerable<AttributeProto>? attributes = null,
                         IReadOnlyList<string>? outputNames = null)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(name) };
        node.Input.AddRange(inputs);
        var result = new string[outputs];
        for (int i = 0; i < outputs; i++)
            result[i] = outputNames is null ? Unique($"{node.Name}_output_{i}") : Unique(outputNames[i]);
        node.Output.AddRange(result);
        if (attributes is not null) node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        opCounts[opType] = opCounts.GetValueOrDefault(opType) + 1;
        return result;
    }

    /// <summary>Gives the value a node produced another name (the graph's output names are part of its interface).</summary>
    /// <exception cref="InvalidOperationException">No node produces <paramref name="from"/>, or it is read by another node.</exception>
    public void RenameOutput(string from, string to)
    {
        if (Graph.Node.Any(n => n.Input.Contains(from))) throw new InvalidOperationException($"{from} is read inside the graph; it cannot be renamed {to}");
        var node = Graph.Node.LastOrDefault(n => n.Output.Contains(from)) ?? throw new InvalidOperationException($"no node produces {from}");
        if (!used.Add(to)) throw new InvalidOperationException($"the name {to} is taken");
        node.Output[node.Output.IndexOf(from)] = to;
    }

    /// <summary>Declares a float32 graph input or output; each dimension is a fixed size (long) or a symbolic name (string).</summary>
    public static ValueInfoProto FloatValue(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d switch
            {
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                _ => throw new ArgumentException($"dimension {d} of {name} must be a size or a name"),
            });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}

/// <summary>Node attributes (<see cref="AttributeProto"/>) with their type discriminator set, as IR version 2+ requires.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
