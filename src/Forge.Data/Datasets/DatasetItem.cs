using Forge.Core.Detection;
using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Datasets;

/// <summary>
/// One verified image of a split with its labels. Width and Height are the decoded image's size (EXIF orientation
/// applied). <see cref="LabelPath"/> is the YOLO label file, or the COCO json the labels came from.
/// </summary>
public sealed class DatasetItem
{
    public string ImagePath { get; }
    public string LabelPath { get; }
    public int Width { get; }
    public int Height { get; }
    public ObjectLabel[] Labels { get; }
    /// <summary>
    /// For labels read from COCO json: each label's box exactly as the file gives it (x, y, x + w, y + h in pixels, not
    /// clipped), parallel to <see cref="Labels"/>, for COCO-exact evaluation; null for YOLO label files.
    /// </summary>
    public BoxF[]? PixelBoxes { get; }
    /// <summary>COCO iscrowd regions (pixels): not trained on; pycocotools-style evaluation ignores detections matching them.</summary>
    public LabeledBox[] Crowd { get; }
    /// <summary>The decoded image resized to the index's cache size (8-bit BGR, shared: never modify or dispose it), when the index was built with caching; else null.</summary>
    public Mat? CachedImage { get; }

    public DatasetItem(string imagePath, string labelPath, int width, int height, ObjectLabel[] labels, Mat? cachedImage = null,
        BoxF[]? pixelBoxes = null, LabeledBox[]? crowd = null)
    {
        if (pixelBoxes is not null && pixelBoxes.Length != labels.Length)
            throw new ArgumentException($"{pixelBoxes.Length} pixel boxes for {labels.Length} labels", nameof(pixelBoxes));
        ImagePath = imagePath;
        LabelPath = labelPath;
        Width = width;
        Height = height;
        Labels = labels;
        CachedImage = cachedImage;
        PixelBoxes = pixelBoxes;
        Crowd = crowd ?? [];
    }

    public bool IsBackground => Labels.Length == 0;

    /// <summary>The same image with labels mapped one by one: <paramref name="map"/> returns the label to keep (changed or not) or null to drop it.
    /// COCO pixel boxes follow their labels; crowd regions stay.</summary>
    public DatasetItem WithLabels(Func<ObjectLabel, ObjectLabel?> map)
    {
        var kept = Labels.Select((l, i) => (Label: map(l), Index: i)).Where(x => x.Label is not null).ToList();
        return new(ImagePath, LabelPath, Width, Height, kept.Select(x => x.Label!.Value).ToArray(), CachedImage,
                   PixelBoxes is null ? null : kept.Select(x => PixelBoxes[x.Index]).ToArray(), Crowd);
    }
}
