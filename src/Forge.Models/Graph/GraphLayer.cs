using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Graph;

/// <summary>
/// One node of a detector's layer graph (<see cref="YoloDetector.Layers"/>), as Ultralytics' DetectionModel has it: the
/// module at index <see cref="Index"/> of the <c>model</c> list (state-dict names <c>model.{Index}.…</c>), its inputs and
/// what it produces. The forward pass runs the layers in index order; each reads the outputs named by
/// <see cref="Sources"/> and the detector's output is the last layer's (the <see cref="Layers.DetectHead"/>).
/// </summary>
/// <remarks>
/// <para><see cref="Module"/> types, for code that walks the graph (exporters): a single-input module is an
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c> — <see cref="Layers.ConvBnAct"/> (Conv, DWConv), <see cref="Layers.Bottleneck"/>,
/// <see cref="Layers.C2f"/>, <see cref="Layers.C3k2"/> (a C2f), <see cref="Layers.C3"/>, <see cref="Layers.Sppf"/>,
/// <see cref="Layers.C2Psa"/>, <see cref="Layers.Upsample"/>, or a TorchSharp <c>Sequential</c> of one of these when a
/// module that does not take a repeat count is repeated (<see cref="Repeats"/> &gt; 1, children named 0, 1, ...).
/// A multi-input module is an <c>nn.Module&lt;Tensor[], Tensor&gt;</c>: <see cref="Layers.Concat"/> or
/// <see cref="Layers.DetectHead"/> (always last).</para>
/// <para>Every module exposes its configuration and children as properties (kernel, stride, groups, activation, ...).</para>
/// </remarks>
public sealed class GraphLayer
{
    /// <summary>Input of the network (images) when it appears in <see cref="Sources"/>.</summary>
    public const int Input = -1;

    public int Index { get; }
    /// <summary>Inputs as the yaml writes them: -1 is the previous layer's output (the images for layer 0).</summary>
    public IReadOnlyList<int> From { get; }
    /// <summary>Absolute layer indices of the inputs, <see cref="Input"/> for the images; same order as <see cref="From"/>.</summary>
    public IReadOnlyList<int> Sources { get; }
    /// <summary>True when the module takes a list of tensors (Concat, Detect); false for one tensor.</summary>
    public bool TakesList { get; }
    /// <summary>Module name as the yaml writes it: Conv, DWConv, Bottleneck, C2f, C3, C3k2, SPPF, C2PSA, nn.Upsample, Concat, Detect.</summary>
    public string Type { get; }
    /// <summary>Repeats after the depth gain (the count Ultralytics' model summary prints as n).</summary>
    public int Repeats { get; }
    /// <summary>Constructor arguments after scaling, as Ultralytics' parse_model passes them (c1, c2, ... for most modules).</summary>
    public IReadOnlyList<object?> Args { get; }
    public nn.Module Module { get; }
    /// <summary>Channels of this layer's output.</summary>
    public long OutChannels { get; }
    /// <summary>Downsampling of this layer's output relative to the input images (1, 2, 4, 8, 16, 32; 0 for the head).</summary>
    public int Stride { get; }
    /// <summary>Line of the yaml row this layer came from, 0 if unknown.</summary>
    public int Line { get; }
    /// <summary>Parameters of this layer (trainable and frozen).</summary>
    public long ParameterCount { get; }

    public GraphLayer(int index, IReadOnlyList<int> from, IReadOnlyList<int> sources, bool takesList, string type, int repeats,
                      IReadOnlyList<object?> args, nn.Module module, long outChannels, int stride, int line)
    {
        Index = index;
        From = from;
        Sources = sources;
        TakesList = takesList;
        Type = type;
        Repeats = repeats;
        Args = args;
        Module = module;
        OutChannels = outChannels;
        Stride = stride;
        Line = line;
        ParameterCount = module.parameters().Sum(p => p.numel());
    }

    /// <summary>One row of a model summary in Ultralytics' layout: index, from, n, params, module, arguments.</summary>
    public override string ToString() =>
        $"{Index,3}{(From.Count == 1 && !TakesList ? From[0].ToString() : "[" + string.Join(", ", From) + "]"),20}{Repeats,3}" +
        $"{ParameterCount,10}  {Type,-45}{YamlValues.Format(Args)}";
}
