using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Resizes a feature map by <see cref="ScaleFactor"/> (PyTorch's <c>nn.Upsample(None, scale, mode)</c> as the yamls use it:
/// nearest-neighbour x2 in YOLOv8 and YOLO11). No parameters. (N, C, H, W) → (N, C, H*s, W*s).
/// </summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    public double ScaleFactor { get; }
    /// <summary>"nearest", "bilinear" or "bicubic" (PyTorch's names).</summary>
    public string Mode { get; }
    readonly InterpolationMode mode;

    /// <exception cref="ArgumentException">A mode other than nearest, bilinear, bicubic; a non-positive factor.</exception>
    public Upsample(double scaleFactor = 2, string mode = "nearest") : base(nameof(Upsample))
    {
        if (!(scaleFactor > 0)) throw new ArgumentException($"nn.Upsample: scale factor must be positive, got {scaleFactor}");
        ScaleFactor = scaleFactor;
        Mode = mode;
        this.mode = mode switch
        {
            "nearest" => InterpolationMode.Nearest,
            "bilinear" => InterpolationMode.Bilinear,
            "bicubic" => InterpolationMode.Bicubic,
            _ => throw new ArgumentException($"nn.Upsample: mode '{mode}' is not supported (use nearest, bilinear or bicubic)"),
        };
    }

    public override Tensor forward(Tensor x) =>
        nn.functional.interpolate(x, scale_factor: [ScaleFactor, ScaleFactor], mode: mode,
                                  align_corners: mode == InterpolationMode.Nearest ? null : false);
}
