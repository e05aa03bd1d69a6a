using System.Security.Cryptography;
using System.Text;
using Forge.Data.Imaging;

namespace Forge.Data.Datasets;

/// <summary>
/// The checked contents of one split: every image decoded once to prove it is readable (bad ones reported and left
/// out), its labels parsed and cleaned, in sorted path order. Optionally keeps the decoded images in memory with the
/// long side at the training size (Ultralytics cache=ram).
/// </summary>
public sealed partial class DatasetIndex
{
    public string SplitName { get; }
    public int NumClasses { get; }
    public IReadOnlyList<DatasetItem> Items { get; }
    /// <summary>The common folder of all images; fingerprints use paths relative to it.</summary>
    public string Root { get; }
    /// <summary>SHA-256 (hex) over the relative image paths, image file sizes and label file contents.</summary>
    public string Fingerprint { get; }
    public int BackgroundCount { get; }
    /// <summary>Images listed by the sources but left out (unreadable image or label file).</summary>
    public int SkippedImageCount { get; }
    /// <summary>Long side of <see cref="DatasetItem.CachedImage"/>; 0 when images are not cached.</summary>
    public int CacheImageSize { get; }

    DatasetIndex(string split, int numClasses, IReadOnlyList<DatasetItem> items, string root, string fingerprint, int skipped, int cacheSize)
    {
        SplitName = split;
        NumClasses = numClasses;
        Items = items;
        Root = root;
        Fingerprint = fingerprint;
        SkippedImageCount = skipped;
        CacheImageSize = cacheSize;
        foreach (var item in items) if (item.IsBackground) BackgroundCount++;
    }

    public int Count => Items.Count;

    /// <param name="imageSources">Folders, .txt image lists or image files (see <see cref="ImageSources.Expand"/>).</param>
    /// <param name="threads">Decoding threads; 0 uses every core.</param>
    /// <param name="cacheImageSize">When positive, keep each decoded image in memory resized so its long side is this size.</param>
    public static DatasetIndex Build(IEnumerable<string> imageSources, int numClasses, DataIssueLog log, string splitName = "train",
        int threads = 0, int cacheImageSize = 0)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "number of classes must be positive");
        var sourceList = imageSources.ToList();
        var paths = ImageSources.Expand(sourceList);
        if (paths.Count == 0)
            throw new InvalidDataException($"{splitName}: no images found in {string.Join(", ", sourceList)} (looked for {string.Join(", ", ImageCodec.Extensions)})");
        string root = CommonFolder(paths);

        var items = new DatasetItem?[paths.Count];
        var issues = new List<DataIssue>?[paths.Count];
        var digests = new byte[paths.Count][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, paths.Count, options, i =>
        {
            var found = new List<DataIssue>();
            items[i] = Check(paths[i], numClasses, cacheImageSize, found, out long fileSize, out string? labelText);
            issues[i] = found.Count > 0 ? found : null;
            digests[i] = ItemDigest(Path.GetRelativePath(root, paths[i]), fileSize, labelText);
        });

        // Report in path order so the printed log does not depend on thread timing.
        foreach (var list in issues)
            if (list is not null) foreach (var issue in list) log.Report(issue);

        var kept = new List<DatasetItem>(paths.Count);
        foreach (var item in items) if (item is not null) kept.Add(item);
        var index = new DatasetIndex(splitName, numClasses, kept, root, CombineDigests(digests), paths.Count - kept.Count, Math.Max(0, cacheImageSize));
        log.RecordImages(splitName, kept.Count, index.BackgroundCount);
        if (kept.Count == 0)
            throw new InvalidDataException($"{splitName}: none of the {paths.Count} images could be read; {log.Summary()}");
        return index;
    }

    static DatasetItem? Check(string imagePath, int numClasses, int cacheSize, List<DataIssue> issues, out long fileSize, out string? labelText)
    {
        fileSize = -1;
        labelText = null;
        RgbImage image;
        try
        {
            fileSize = new FileInfo(imagePath).Length;
            image = ImageCodec.Decode(imagePath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            string reason = e.Message.StartsWith(imagePath, StringComparison.Ordinal) ? e.Message[(imagePath.Length + 1)..].TrimStart() : e.Message;
            issues.Add(new DataIssue(DataIssueKind.CorruptImage, imagePath, 0, $"image left out: {reason}", IssueAction.Skipped));
            return null;
        }
        string labelPath = LabelPaths.ForImage(imagePath);
        var labels = LabelReader.Read(labelPath, numClasses, issues, out labelText);
        if (labels.State == LabelFileState.Unreadable) return null;

        RgbImage? cached = null;
        if (cacheSize > 0)
        {
            var (w, h) = Resize.LongSideSize(image.Width, image.Height, cacheSize);
            cached = w == image.Width && h == image.Height ? image : Resize.To(image, w, h);
        }
        return new DatasetItem(imagePath, labelPath, image.Width, image.Height, labels.Labels, cached);
    }

    static byte[] ItemDigest(string relativePath, long fileSize, string? labelText)
    {
        var text = $"{relativePath.Replace('\\', '/')}\n{fileSize}\n{(labelText is null ? "-" : "+" + labelText)}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    static string CombineDigests(byte[][] digests)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var d in digests) hash.AppendData(d);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static string CommonFolder(List<string> paths)
    {
        string common = Path.GetDirectoryName(paths[0]) ?? "";
        foreach (var p in paths)
        {
            while (common.Length > 0 && !IsUnder(p, common))
                common = Path.GetDirectoryName(common) ?? "";
        }
        return common;
    }

    static bool IsUnder(string path, string folder) =>
        path.StartsWith(folder, StringComparison.Ordinal)
        && (path.Length == folder.Length || path[folder.Length] == Path.DirectorySeparatorChar || folder.EndsWith(Path.DirectorySeparatorChar));
}
