namespace Forge.Synthetic;

/// <summary>
/// What <see cref="ShapesDataset"/> generates. Every property takes part in the dataset's identity:
/// changing any of them makes <see cref="ShapesDataset.Ensure"/> regenerate.
/// </summary>
public sealed record ShapesDatasetOptions
{
    /// <summary>Folder name under the datasets root.</summary>
    public string Name { get; init; } = "shapes";
    public int Seed { get; init; } = 20240817;
    public int TrainImages { get; init; } = 500;
    public int ValImages { get; init; } = 100;
    /// <summary>Image side in pixels (the longer side when <see cref="VaryAspect"/> is set).</summary>
    public int ImageSize { get; init; } = 256;
    /// <summary>When set, each image's shorter side is a random 60-100% of <see cref="ImageSize"/>, landscape or portrait.</summary>
    public bool VaryAspect { get; init; }
    public int MinObjects { get; init; } = 1;
    public int MaxObjects { get; init; } = 6;
    /// <summary>Share of images with no objects at all (background images with empty label files).</summary>
    public double EmptyImageFraction { get; init; } = 0.05;
    /// <summary>Object size range as a fraction of the image's shorter side.</summary>
    public double MinObjectSize { get; init; } = 0.10;
    public double MaxObjectSize { get; init; } = 0.45;
    /// <summary>An object may be covered by later ones only while at least this fraction of it stays visible.</summary>
    public double MinVisibleFraction { get; init; } = 0.6;
    /// <summary>Thin lines, distractor blobs and pixel noise; off gives clean gradient backgrounds (useful for tests).</summary>
    public bool Clutter { get; init; } = true;
    public int JpegQuality { get; init; } = 92;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting and its allowed range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name is "." or ".." || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Contains('/') || Name.Contains('\\'))
            throw new ArgumentException($"dataset name '{Name}' must be a plain folder name (no path separators)");
        Check(TrainImages >= 0 && TrainImages <= 1_000_000, nameof(TrainImages), TrainImages, "0..1000000");
        Check(ValImages >= 0 && ValImages <= 1_000_000, nameof(ValImages), ValImages, "0..1000000");
        Check(ImageSize >= 32 && ImageSize <= 4096, nameof(ImageSize), ImageSize, "32..4096");
        Check(MinObjects >= 0 && MinObjects <= MaxObjects, nameof(MinObjects), MinObjects, $"0..MaxObjects ({MaxObjects})");
        Check(MaxObjects >= 0 && MaxObjects <= 50, nameof(MaxObjects), MaxObjects, "0..50");
        Check(EmptyImageFraction >= 0 && EmptyImageFraction <= 1, nameof(EmptyImageFraction), EmptyImageFraction, "0..1");
        Check(MinObjectSize > 0 && MinObjectSize <= MaxObjectSize, nameof(MinObjectSize), MinObjectSize, $"(0, MaxObjectSize ({MaxObjectSize})]");
        Check(MaxObjectSize <= 0.8, nameof(MaxObjectSize), MaxObjectSize, "up to 0.8 (objects must fit inside the image)");
        Check(MinVisibleFraction >= 0 && MinVisibleFraction <= 1, nameof(MinVisibleFraction), MinVisibleFraction, "0..1");
        Check(JpegQuality >= 1 && JpegQuality <= 100, nameof(JpegQuality), JpegQuality, "1..100");
    }

    static void Check(bool ok, string name, object value, string allowed)
    {
        if (!ok) throw new ArgumentException($"ShapesDatasetOptions.{name} = {value} is out of range; allowed: {allowed}");
    }
}
