namespace Forge.Data.Augmentation;

/// <summary>
/// Training augmentation hyper-parameters, with Ultralytics' names and defaults (hsv_h, hsv_s, ..., mosaic, mixup).
/// </summary>
public sealed record AugmentOptions
{
    /// <summary>Hue gain range: hue is multiplied by 1 ± this (OpenCV hue scale 0..180).</summary>
    public double HsvH { get; init; } = 0.015;
    public double HsvS { get; init; } = 0.7;
    public double HsvV { get; init; } = 0.4;
    /// <summary>Rotation range in degrees (±).</summary>
    public double Degrees { get; init; } = 0.0;
    /// <summary>Translation range as a fraction of the output size (±).</summary>
    public double Translate { get; init; } = 0.1;
    /// <summary>Scale gain range: scale drawn in [1 - Scale, 1 + Scale].</summary>
    public double Scale { get; init; } = 0.5;
    /// <summary>Shear range in degrees (±).</summary>
    public double Shear { get; init; } = 0.0;
    /// <summary>Perspective distortion range (±, Ultralytics allows 0..0.001); 0 keeps the warp affine.</summary>
    public double Perspective { get; init; } = 0.0;
    public double FlipUd { get; init; } = 0.0;
    public double FlipLr { get; init; } = 0.5;
    /// <summary>Probability of building a sample as a 4-image mosaic.</summary>
    public double Mosaic { get; init; } = 1.0;
    /// <summary>Probability of blending a second augmented sample into this one.</summary>
    public double MixUp { get; init; } = 0.0;

    /// <summary>No augmentation at all: the training pipeline then only letterboxes.</summary>
    public static AugmentOptions None { get; } = new()
    {
        HsvH = 0, HsvS = 0, HsvV = 0, Translate = 0, Scale = 0, FlipLr = 0, Mosaic = 0,
    };

    /// <summary>Throws with the offending option's name when a value is out of its range.</summary>
    public void Validate()
    {
        Check(nameof(HsvH), HsvH, 0, 1);
        Check(nameof(HsvS), HsvS, 0, 1);
        Check(nameof(HsvV), HsvV, 0, 1);
        Check(nameof(Degrees), Degrees, 0, 180);
        Check(nameof(Translate), Translate, 0, 0.5);
        Check(nameof(Scale), Scale, 0, 0.99);
        Check(nameof(Shear), Shear, 0, 89);
        Check(nameof(FlipUd), FlipUd, 0, 1);
        Check(nameof(FlipLr), FlipLr, 0, 1);
        Check(nameof(Mosaic), Mosaic, 0, 1);
        Check(nameof(MixUp), MixUp, 0, 1);
        Check(nameof(Perspective), Perspective, 0, 0.001);
    }

    static void Check(string name, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentException($"augmentation option {name}={value} is outside [{min}, {max}]");
    }
}
