using Forge.Data.Imaging;

namespace Forge.Data.Datasets;

/// <summary>One verified image of a split with its labels. Width and Height are the decoded image's size.</summary>
public sealed class DatasetItem
{
    public string ImagePath { get; }
    public string LabelPath { get; }
    public int Width { get; }
    public int Height { get; }
    public ObjectLabel[] Labels { get; }
    /// <summary>The decoded image resized to the index's cache size, when the index was built with caching; else null.</summary>
    public RgbImage? CachedImage { get; }

    public DatasetItem(string imagePath, string labelPath, int width, int height, ObjectLabel[] labels, RgbImage? cachedImage = null)
    {
        ImagePath = imagePath;
        LabelPath = labelPath;
        Width = width;
        Height = height;
        Labels = labels;
        CachedImage = cachedImage;
    }

    public bool IsBackground => Labels.Length == 0;

    /// <summary>The same image with labels mapped one by one: <paramref name="map"/> returns the label to keep (changed or not) or null to drop it.</summary>
    public DatasetItem WithLabels(Func<ObjectLabel, ObjectLabel?> map) =>
        new(ImagePath, LabelPath, Width, Height, Labels.Select(map).OfType<ObjectLabel>().ToArray(), CachedImage);
}
