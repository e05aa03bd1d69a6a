namespace Forge.Data.Datasets;

/// <summary>Where YOLO datasets keep an image's labels (Ultralytics img2label_paths).</summary>
public static class LabelPaths
{
    /// <summary>
    /// The label file of an image: the last "/images/" folder in the path becomes "/labels/" and the extension ".txt".
    /// Without an images folder the label file sits next to the image.
    /// </summary>
    public static string ForImage(string imagePath)
    {
        string path = imagePath;
        foreach (char sep in Separators)
        {
            string images = $"{sep}images{sep}";
            int at = path.LastIndexOf(images, StringComparison.Ordinal);
            if (at >= 0)
            {
                path = string.Concat(path.AsSpan(0, at), $"{sep}labels{sep}", path.AsSpan(at + images.Length));
                break;
            }
        }
        int dot = path.LastIndexOf('.');
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return (dot > slash ? path[..dot] : path) + ".txt";
    }

    static readonly char[] Separators = Path.DirectorySeparatorChar == '/' ? ['/'] : [Path.DirectorySeparatorChar, '/'];
}
