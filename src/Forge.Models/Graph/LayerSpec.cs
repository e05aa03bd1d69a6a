namespace Forge.Models.Graph;

/// <summary>
/// One row <c>[from, repeats, module, args]</c> of a model yaml's backbone or head, as written (before scaling).
/// </summary>
/// <param name="Index">Position in backbone + head (the layer's state-dict index, <c>model.{Index}.…</c>).</param>
/// <param name="From">Inputs as written: -1 is the previous layer's output, other negatives count back from this layer,
/// non-negative values are absolute layer indices.</param>
/// <param name="FromIsList">True when <c>from</c> was written as a list: the module then receives a list of tensors.</param>
/// <param name="Repeats">Repeats before the scale's depth gain.</param>
/// <param name="Module">Module name as written (<c>Conv</c>, <c>C2f</c>, <c>nn.Upsample</c>, ...).</param>
/// <param name="Args">Arguments after YAML typing: int, double, bool, string, null or a nested list.</param>
/// <param name="Line">1-based line in the yaml text, 0 when the definition did not come from a file.</param>
public sealed record LayerSpec(int Index, IReadOnlyList<int> From, bool FromIsList, int Repeats, string Module,
                               IReadOnlyList<object?> Args, int Line);

/// <summary>Depth gain, width gain and channel cap of one scale (Ultralytics' <c>scales: {n: [depth, width, max_channels]}</c>).</summary>
public sealed record ScaleFactors(double Depth, double Width, double MaxChannels);
