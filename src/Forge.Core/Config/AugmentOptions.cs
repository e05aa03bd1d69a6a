namespace Forge.Core.Config;

/// <summary>
/// Training augmentation settings (Ultralytics' names, defaults and meaning), the section of <see cref="ForgeConfig"/> that
/// the data pipeline receives as it is. Ranges are declared with each setting and checked by <see cref="Validate"/>.
/// </summary>
public sealed record AugmentOptions
{
    /// <summary>Hue gain range: hue is multiplied by 1 ± this (OpenCV hue scale 0..180).</summary>
    [Setting("hsv_h", "hue augmentation (fraction)", AltersRun = true, Min = 0, Max = 1)]
    public double HsvH { get; init; } = 0.015;
    [Setting("hsv_s", "saturation augmentation (fraction)", AltersRun = true, Min = 0, Max = 1)]
    public double HsvS { get; init; } = 0.7;
    [Setting("hsv_v", "value augmentation (fraction)", AltersRun = true, Min = 0, Max = 1)]
    public double HsvV { get; init; } = 0.4;
    /// <summary>Rotation range in degrees (±).</summary>
    [Setting("degrees", "rotation (+/- degrees)", AltersRun = true, Min = 0, Max = 180)]
    public double Degrees { get; init; } = 0.0;
    /// <summary>Translation range as a fraction of the output size (±).</summary>
    [Setting("translate", "translation (+/- fraction)", AltersRun = true, Min = 0, Max = 0.5)]
    public double Translate { get; init; } = 0.1;
    /// <summary>Scale gain range: scale drawn in [1 - Scale, 1 + Scale].</summary>
    [Setting("scale", "scale gain (+/-)", AltersRun = true, Min = 0, Max = 0.99)]
    public double Scale { get; init; } = 0.5;
    /// <summary>Shear range in degrees (±).</summary>
    [Setting("shear", "shear (+/- degrees)", AltersRun = true, Min = 0, Max = 89)]
    public double Shear { get; init; } = 0.0;
    /// <summary>Perspective distortion range (±, Ultralytics allows 0..0.001); 0 keeps the warp affine.</summary>
    [Setting("perspective", "perspective (+/- fraction of the image size, 0..0.001)", AltersRun = true, Min = 0, Max = 0.001)]
    public double Perspective { get; init; } = 0.0;
    [Setting("flipud", "vertical flip probability", AltersRun = true, Min = 0, Max = 1)]
    public double FlipUd { get; init; } = 0.0;
    [Setting("fliplr", "horizontal flip probability", AltersRun = true, Min = 0, Max = 1)]
    public double FlipLr { get; init; } = 0.5;
    /// <summary>Probability of building a sample as a 4-image mosaic.</summary>
    [Setting("mosaic", "mosaic probability", AltersRun = true, Min = 0, Max = 1)]
    public double Mosaic { get; init; } = 1.0;
    /// <summary>Probability of blending a second augmented sample into this one.</summary>
    [Setting("mixup", "mixup probability", AltersRun = true, Min = 0, Max = 1)]
    public double MixUp { get; init; } = 0.0;

    /// <summary>No augmentation at all: the training pipeline then only letterboxes.</summary>
    public static AugmentOptions None { get; } = new()
    {
        HsvH = 0, HsvS = 0, HsvV = 0, Translate = 0, Scale = 0, FlipLr = 0, Mosaic = 0,
    };

    /// <summary>Throws a <see cref="ConfigException"/> naming the user's key of every value outside its range ("hsv_h=2: must be in [0, 1]").</summary>
    public void Validate() => ConfigSchema.ThrowIfAny(ConfigSchema.Problems(this));
}
