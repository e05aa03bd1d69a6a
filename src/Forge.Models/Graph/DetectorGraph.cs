using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Graph;

/// <summary>
/// Builds the layer graph of a detector from a model yaml at one scale, with the rules of Ultralytics' parse_model
/// (ultralytics/nn/tasks.py, 8.3.57): repeats max(round(n * depth), 1) for n &gt; 1, channels
/// make_divisible(min(c, max_channels) * width, 8), modules that take a repeat count get it, other repeated modules are
/// wrapped in a Sequential, 'nc' in arguments is the class count, and Detect's class branch is YOLOv8's unless a C3k2
/// came before it. Strides follow from the convolution strides and upsampling factors.
/// </summary>
public static class DetectorGraph
{
    /// <summary>The layers of <paramref name="scale"/>'s definition for <paramref name="nc"/> classes.</summary>
    /// <exception cref="InvalidDataException">An unknown module, bad arguments, inputs that do not exist, or no Detect
    /// head at the end; the message names the yaml file, line, layer and module.</exception>
    public static List<GraphLayer> Build(ModelScale scale, int nc, int regMax = 16)
    {
        var yaml = scale.Yaml;
        var layers = new List<GraphLayer>(yaml.Layers.Count);
        bool legacy = true;
        try
        {
            foreach (var spec in yaml.Layers)
            {
                layers.Add(BuildLayer(spec, yaml, layers, scale, nc, legacy, regMax));
                if (spec.Module == "C3k2") legacy = false;
            }
            if (layers[^1].Module is not DetectHead)
                throw new InvalidDataException($"{Where(yaml, yaml.Layers[^1])}: the last layer must be Detect (the detection head), got {layers[^1].Type}");
            return layers;
        }
        catch
        {
            foreach (var l in layers) l.Module.Dispose();
            throw;
        }
    }

    static string Where(ModelYaml yaml, LayerSpec spec) =>
        $"{yaml.Source}{(spec.Line > 0 ? $":{spec.Line}" : "")}: layer {spec.Index} ({spec.Module})";

    static GraphLayer BuildLayer(LayerSpec spec, ModelYaml yaml, List<GraphLayer> built, ModelScale scale, int nc, bool legacy, int regMax)
    {
        string where = Where(yaml, spec);
        if (!ModuleCatalog.Names.Contains(spec.Module))
            throw new InvalidDataException($"{yaml.Source}{(spec.Line > 0 ? $":{spec.Line}" : "")}: layer {spec.Index}: unknown module '{spec.Module}'. " +
                                           $"Forge builds {string.Join(", ", ModuleCatalog.Names)}");
        if (spec.Module == "Detect" && spec.Index != yaml.Layers.Count - 1)
            throw new InvalidDataException($"{where}: Detect must be the last layer");
        var sources = Sources(spec, where);
        bool multi = ModuleCatalog.IsMultiInput(spec.Module);
        if (!multi && sources.Count != 1)
            throw new InvalidDataException($"{where}: takes one input, but 'from' lists {sources.Count}");
        var inChannels = sources.Select(s => s == GraphLayer.Input ? yaml.InputChannels : built[s].OutChannels).ToArray();
        var inStrides = sources.Select(s => s == GraphLayer.Input ? 1 : built[s].Stride).ToArray();
        if (inChannels.Any(c => c == 0))
            throw new InvalidDataException($"{where}: an input is the Detect head's output, which no layer can take");
        int n = scale.Repeats(spec.Repeats);
        var args = new ModuleArgs(spec.Args.Select(a => YamlValues.ResolveArgument(a, nc)).ToArray(), where);
        var recipe = ModuleCatalog.Resolve(spec.Module, new LayerContext(args, inChannels, inStrides, n, scale, nc, legacy, regMax))!;
        if (n > 1 && multi) throw new InvalidDataException($"{where}: Concat and Detect cannot repeat (repeats {spec.Repeats})");
        var module = recipe.AbsorbsRepeats || n == 1
            ? recipe.Create()
            : nn.Sequential(Enumerable.Range(0, n).Select(_ => (nn.Module<Tensor, Tensor>)recipe.Create()).ToArray());
        double stride = recipe.OutChannels == 0 ? 0 : inStrides[0] * Math.Pow(recipe.StrideFactor, recipe.AbsorbsRepeats ? 1 : n);
        if (stride != 0 && (stride < 1 || stride != Math.Round(stride)))
            throw new InvalidDataException($"{where}: output stride {stride} relative to the input is not a whole number");
        return new GraphLayer(spec.Index, spec.From, sources, spec.FromIsList || multi, spec.Module, n, recipe.ShownArgs, module,
                              recipe.OutChannels, (int)stride, spec.Line);
    }

    // Ultralytics: -1 is the previous output (the images for layer 0); other negatives index back from this layer.
    static List<int> Sources(LayerSpec spec, string where)
    {
        var list = new List<int>(spec.From.Count);
        foreach (int f in spec.From)
        {
            int s = f == -1 ? spec.Index - 1 : f < 0 ? spec.Index + f : f;
            if (s >= spec.Index) throw new InvalidDataException($"{where}: 'from' {f} refers to layer {s}, which comes later");
            if (s < -1 || (s == -1 && f != -1)) throw new InvalidDataException($"{where}: 'from' {f} refers to no layer");
            list.Add(s);
        }
        return list;
    }
}
