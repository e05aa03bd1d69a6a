using Forge.Models.Geometry;
using Forge.Models.Graph;
using Forge.Models.Layers;
using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models;

/// <summary>
/// A YOLO detector (YOLOv8, YOLO11, or any model yaml of the same modules) as a layer graph, like Ultralytics'
/// DetectionModel: <see cref="Layers"/> lists every layer with its index, inputs (<see cref="GraphLayer.From"/>) and module,
/// built from a model yaml (<see cref="ModelYaml"/>) by <see cref="DetectorGraph"/>. The modules live in a list named
/// "model", so parameter names are Ultralytics' state-dict names (e.g. <c>model.22.cv2.0.0.conv.weight</c>). The forward
/// pass runs the layers in order, each on the outputs its <see cref="GraphLayer.Sources"/> name; the last layer is the
/// Detect head.
/// </summary>
public class YoloDetector : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module> model;
    readonly GraphLayer[] layers;
    readonly int[] lastUse;   // per layer output: the index of the last layer that reads it (see LastReader)
    readonly Dictionary<(int, int, DeviceType, int), AnchorGrid> anchorCache = new();

    /// <summary>The definition and scale the detector was built from.</summary>
    public ModelScale Scale { get; }
    public int NumClasses => Head.NumClasses;
    public int RegMax => Head.RegMax;
    public IReadOnlyList<int> Strides => Head.Strides;
    /// <summary>Every layer in forward order, with its index, inputs, module type and module (see <see cref="GraphLayer"/>).</summary>
    public IReadOnlyList<GraphLayer> Layers => layers;
    /// <summary>
    /// The last layer that reads layer <paramref name="index"/>'s output: <see cref="forward"/> releases that output right
    /// after it (Ultralytics' savelist, with its lifetimes). -1 for the head, whose output is the detector's.
    /// </summary>
    public int LastReader(int index) => index == layers.Length - 1 ? -1 : lastUse[index];

    /// <summary>
    /// Sets <see cref="ConvBnAct.RecomputeNormalization"/> on every Conv block (the trainer's <c>recompute</c> setting).
    /// Returns the number of blocks set.
    /// </summary>
    public int RecomputeNormalization(bool on)
    {
        int n = 0;
        foreach (var (_, m) in named_modules())
            if (m is ConvBnAct block) { block.RecomputeNormalization = on; n++; }
        return n;
    }

    /// <summary>Largest stride: input height and width must be multiples of it.</summary>
    public int MaxStride => Strides.Max();
    // Reached through the layer list rather than a field: a module field would be registered (and named) twice.
    public DetectHead Head => (DetectHead)layers[^1].Module;

    /// <summary>
    /// A short description of the architecture, stored in checkpoints so weights are never loaded into the wrong shape:
    /// "yolov8n nc=80 reg_max=16 strides=8,16,32". Checkpoints also store <see cref="ModelYaml.ToJson"/> for yamls
    /// that are not built in.
    /// </summary>
    public string Architecture => $"{Scale.Name} nc={NumClasses} reg_max={RegMax} strides={string.Join(',', Strides)}";

    /// <summary>Builds <paramref name="scale"/>'s definition (YOLOv8 for <see cref="ModelScale.N"/> ... <see cref="ModelScale.X"/>)
    /// for <paramref name="numClasses"/> classes; weights initialised from the current torch seed.</summary>
    /// <exception cref="ArgumentException">numClasses &lt; 1.</exception>
    /// <exception cref="InvalidDataException">The definition cannot be built (see <see cref="DetectorGraph.Build"/>).</exception>
    public YoloDetector(ModelScale scale, int numClasses, int regMax = 16) : base("YoloDetector")
    {
        if (numClasses < 1) throw new ArgumentException($"numClasses must be >= 1, got {numClasses}");
        Scale = scale;
        layers = DetectorGraph.Build(scale, numClasses, regMax).ToArray();
        lastUse = new int[layers.Length];
        foreach (var l in layers)
            foreach (int s in l.Sources)
                if (s >= 0) lastUse[s] = Math.Max(lastUse[s], l.Index);
        model = nn.ModuleList(layers.Select(l => l.Module).ToArray());
        RegisterComponents();
    }

    /// <summary>Raw head output (batch, 4*regMax + numClasses, anchors) for images (batch, 3, H, W) with H, W multiples of <see cref="MaxStride"/>.</summary>
    /// <exception cref="ArgumentException">H or W is not a multiple of the largest stride.</exception>
    public override Tensor forward(Tensor images)
    {
        int m = MaxStride;
        if (images.shape[2] % m != 0 || images.shape[3] % m != 0)
            throw new ArgumentException($"input height and width must be multiples of {m}, got {images.shape[2]}x{images.shape[3]}");
        using var scope = NewDisposeScope();
        var outputs = new Tensor?[layers.Length];
        Tensor x = images;
        foreach (var layer in layers)
        {
            Tensor Input(int s) => s == GraphLayer.Input ? images : outputs[s]!;
            x = outputs[layer.Index] = layer.TakesList
                ? ((nn.Module<Tensor[], Tensor>)layer.Module).forward(layer.Sources.Select(Input).ToArray())
                : ((nn.Module<Tensor, Tensor>)layer.Module).forward(Input(layer.Sources[0]));
            // An output is released after its last reader, as Python frees it: in eval mode its memory goes back at once
            // (the peak is a few layers, not the whole network); in training autograd still holds what backward needs.
            foreach (int s in layer.Sources)
                if (s >= 0 && lastUse[s] == layer.Index && !ReferenceEquals(outputs[s], x)) outputs[s]!.Dispose();
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>A model summary in Ultralytics' layout (one row per layer: from, n, params, module, arguments) and totals.</summary>
    public string Summary()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{"",3}{"from",20}{"n",3}{"params",10}  {"module",-45}{"arguments",-30}");
        foreach (var l in layers) sb.AppendLine(l.ToString());
        sb.Append($"{Scale.Name} summary: {layers.Length} layers, {ParameterCount():N0} parameters, {NumClasses} classes, strides {string.Join(',', Strides)}");
        return sb.ToString();
    }

    /// <summary>
    /// Folds every BatchNorm into its convolution (<see cref="ConvBnAct.FuseForInference"/>) for eval-mode forwards until
    /// the returned handle is disposed. Take it after the weights are final for the pass (the EMA changes every step).
    /// </summary>
    /// <param name="channelsLast">Folded weights laid out channels_last (feed channels_last images, <see cref="ChannelsLast.Of"/>).</param>
    public IDisposable FuseForInference(bool channelsLast = false)
    {
        var blocks = modules().OfType<ConvBnAct>().ToList();
        foreach (var block in blocks) block.FuseForInference(channelsLast);
        return new FusedBlocks(blocks);
    }

    sealed class FusedBlocks(List<ConvBnAct> blocks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var block in blocks) block.ReleaseFused();
        }
    }

    /// <summary>Anchor grid for an input size on the model's device, built once per size.</summary>
    public AnchorGrid Anchors(int height, int width, Device device)
    {
        var key = (height, width, device.type, device.index);
        lock (anchorCache)
        {
            if (!anchorCache.TryGetValue(key, out var grid))
                anchorCache[key] = grid = new AnchorGrid(height, width, Strides, device);
            return grid;
        }
    }

    /// <summary>
    /// Decodes raw output into (batch, 4 + numClasses, anchors): box centre x, y, width, height in input pixels, then
    /// class probabilities. This is the layout <c>NonMaxSuppression</c> consumes.
    /// </summary>
    public Tensor Decode(Tensor raw, int height, int width)
    {
        using var scope = NewDisposeScope();
        var grid = Anchors(height, width, raw.device);
        var parts = raw.split([4L * RegMax, NumClasses], 1);
        var distances = Head.Dfl.forward(parts[0]);                                     // (b, 4, A)
        var boxes = BoxTensorOps.DistanceToBox(distances, grid.Points.T.unsqueeze(0), centreForm: true, dim: 1)
                    * grid.StrideTensor.T;
        return cat([boxes, parts[1].sigmoid()], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Number of parameters (trainable and frozen), as Ultralytics counts them.</summary>
    public long ParameterCount()
    {
        long n = 0;
        foreach (var p in parameters()) n += p.numel();
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var g in anchorCache.Values) g.Dispose();
        anchorCache.Clear();
        base.Dispose(disposing);
    }
}
