using Forge.Models.Geometry;
using Forge.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models;

/// <summary>
/// YOLOv8 detector: CSP/C2f backbone with SPPF, PAN neck, decoupled anchor-free head with DFL, strides 8/16/32.
/// Layers live in a list named "model" with the reference indices (0..22), so parameter names match Ultralytics'
/// state dicts (e.g. <c>model.22.cv2.0.0.conv.weight</c>).
/// </summary>
public class YoloDetector : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<nn.Module> model;
    readonly Dictionary<(int, int, DeviceType, int), AnchorGrid> anchorCache = new();

    public ModelScale Scale { get; }
    public int NumClasses { get; }
    public int RegMax => head.RegMax;
    public IReadOnlyList<int> Strides => head.Strides;
    // Reached through the layer list rather than a field: a module field would be registered (and named) twice.
    public DetectHead Head => (DetectHead)model[22];
    DetectHead head => Head;

    /// <summary>A short description of the architecture, stored in checkpoints so weights are never loaded into the wrong shape.</summary>
    public string Architecture => $"{Scale.Name} nc={NumClasses} reg_max={RegMax} strides={string.Join(',', Strides)}";

    public YoloDetector(ModelScale scale, int numClasses, int regMax = 16) : base("YoloDetector")
    {
        if (numClasses < 1) throw new ArgumentException($"numClasses must be >= 1, got {numClasses}");
        Scale = scale;
        NumClasses = numClasses;
        int C(int c) => scale.Channels(c);
        int N(int n) => scale.Repeats(n);

        int c64 = C(64), c128 = C(128), c256 = C(256), c512 = C(512), c1024 = C(1024);
        model = nn.ModuleList<nn.Module>(
            /* 0 P1/2  */ new ConvBnAct(3, c64, 3, 2),
            /* 1 P2/4  */ new ConvBnAct(c64, c128, 3, 2),
            /* 2       */ new C2f(c128, c128, N(3), shortcut: true),
            /* 3 P3/8  */ new ConvBnAct(c128, c256, 3, 2),
            /* 4       */ new C2f(c256, c256, N(6), shortcut: true),
            /* 5 P4/16 */ new ConvBnAct(c256, c512, 3, 2),
            /* 6       */ new C2f(c512, c512, N(6), shortcut: true),
            /* 7 P5/32 */ new ConvBnAct(c512, c1024, 3, 2),
            /* 8       */ new C2f(c1024, c1024, N(3), shortcut: true),
            /* 9       */ new Sppf(c1024, c1024, 5),
            /* 10 up   */ nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            /* 11 cat6 */ new Concat(),
            /* 12      */ new C2f(c1024 + c512, c512, N(3), shortcut: false),
            /* 13 up   */ nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest),
            /* 14 cat4 */ new Concat(),
            /* 15 P3   */ new C2f(c512 + c256, c256, N(3), shortcut: false),
            /* 16      */ new ConvBnAct(c256, c256, 3, 2),
            /* 17 cat12*/ new Concat(),
            /* 18 P4   */ new C2f(c256 + c512, c512, N(3), shortcut: false),
            /* 19      */ new ConvBnAct(c512, c512, 3, 2),
            /* 20 cat9 */ new Concat(),
            /* 21 P5   */ new C2f(c512 + c1024, c1024, N(3), shortcut: false),
            /* 22      */ new DetectHead(numClasses, [c256, c512, c1024], [8, 16, 32], regMax));
        RegisterComponents();
    }

    Tensor Run(int i, Tensor x) => ((nn.Module<Tensor, Tensor>)model[i]).forward(x);

    /// <summary>Raw head output (batch, 4*regMax + numClasses, anchors) for images (batch, 3, H, W) with H, W multiples of 32.</summary>
    public override Tensor forward(Tensor images)
    {
        if (images.shape[2] % 32 != 0 || images.shape[3] % 32 != 0)
            throw new ArgumentException($"input height and width must be multiples of 32, got {images.shape[2]}x{images.shape[3]}");
        using var scope = NewDisposeScope();
        var x2 = Run(2, Run(1, Run(0, images)));
        var p3 = Run(4, Run(3, x2));
        var p4 = Run(6, Run(5, p3));
        var p5 = Run(9, Run(8, Run(7, p4)));
        var n12 = Run(12, cat([Run(10, p5), p4], 1));
        var o15 = Run(15, cat([Run(13, n12), p3], 1));
        var o18 = Run(18, cat([Run(16, o15), n12], 1));
        var o21 = Run(21, cat([Run(19, o18), p5], 1));
        return head.forward([o15, o18, o21]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Folds every BatchNorm into its convolution (<see cref="ConvBnAct.FuseForInference"/>) for eval-mode forwards until
    /// the returned handle is disposed. Take it after the weights are final for the pass (the EMA changes every step).
    /// </summary>
    public IDisposable FuseForInference()
    {
        var blocks = modules().OfType<ConvBnAct>().ToList();
        foreach (var block in blocks) block.FuseForInference();
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
        var distances = head.Dfl.forward(parts[0]);                                     // (b, 4, A)
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
