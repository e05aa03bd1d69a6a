using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Spatial pyramid pooling, fast (Ultralytics' <c>SPPF</c>): cv1 to in/2 channels, three chained k x k max-pools
/// (stride 1, padding k/2; receptive fields k, 2k-1, 3k-2), concatenation of the four, 1x1 cv2.
/// (N, in, H, W) → (N, out, H, W).
/// </summary>
public sealed class Sppf : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct cv1;
    readonly ConvBnAct cv2;
    readonly long kernel;

    public ConvBnAct Cv1 => cv1;
    public ConvBnAct Cv2 => cv2;
    /// <summary>Max-pool kernel size (5 in YOLOv8 and YOLO11).</summary>
    public long Kernel => kernel;

    public Sppf(long inChannels, long outChannels, long kernel = 5) : base(nameof(Sppf))
    {
        long hidden = inChannels / 2;
        cv1 = new ConvBnAct(inChannels, hidden, 1, 1);
        cv2 = new ConvBnAct(hidden * 4, outChannels, 1, 1);
        this.kernel = kernel;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = cv1.forward(x);
        var b = nn.functional.max_pool2d(a, kernel, 1, kernel / 2);
        var c = nn.functional.max_pool2d(b, kernel, 1, kernel / 2);
        var d = nn.functional.max_pool2d(c, kernel, 1, kernel / 2);
        return cv2.forward(cat([a, b, c, d], 1)).MoveToOuterDisposeScope();
    }
}
