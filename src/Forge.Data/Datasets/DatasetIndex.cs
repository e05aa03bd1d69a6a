using System.Security.Cryptography;
using System.Text;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Data.Datasets;

/// <summary>
/// The checked contents of one split: every image decoded once with OpenCV to prove it is readable (bad ones named with
/// the reason, counted and left out), its labels parsed and cleaned, in sorted path order. Labels come from YOLO label
/// files (labels/ beside images/) or from COCO json sources. Optionally keeps the loaded images in memory with the long
/// side at the training size (Ultralytics cache=ram).
/// </summary>
public sealed partial class DatasetIndex
{
    public string SplitName { get; }
    public int NumClasses { get; }
    public IReadOnlyList<DatasetItem> Items { get; }
    /// <summary>The common folder of all images; fingerprints use paths relative to it.</summary>
    public string Root { get; }
    /// <summary>SHA-256 (hex) over the relative image paths, image file sizes and label contents.</summary>
    public string Fingerprint { get; }
    public int BackgroundCount { get; }
    /// <summary>Images listed by the sources but left out (undecodable image, unreadable label file, every label invalid).</summary>
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

    /// <summary>Bytes of the decoded images kept in memory (<see cref="DatasetItem.CachedImage"/>); 0 when not cached.</summary>
    public long CachedBytes => Items.Sum(i => i.CachedImage is { } m ? m.Total() * m.ElemSize() : 0L);

    /// <param name="imageSources">Folders, .txt image lists, image files (see <see cref="ImageSources.Expand"/>) and COCO .json annotation files.</param>
    /// <param name="threads">Decoding threads; 0 uses every core.</param>
    /// <param name="cacheImageSize">When positive, keep each decoded image in memory resized so its long side is this size.</param>
    /// <param name="cocoImages">The image folder of a COCO json source (data.yaml's {json, images} form); null, or returning null, finds it by the usual layouts.</param>
    /// <param name="requireLabels">When true (the default), a split without any labelled object is an error.</param>
    /// <exception cref="InvalidDataException">No images, none readable, or no labels at all with <paramref name="requireLabels"/> (the message says where labels were looked for).</exception>
    public static DatasetIndex Build(IEnumerable<string> imageSources, int numClasses, DataIssueLog log, string splitName = "train",
        int threads = 0, int cacheImageSize = 0, Func<string, string?>? cocoImages = null, bool requireLabels = true)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "number of classes must be positive");
        var sourceList = imageSources.ToList();
        var entries = Entries(sourceList, numClasses, cocoImages);
        if (entries.Count == 0)
            throw new InvalidDataException($"{splitName}: no images found in {string.Join(", ", sourceList)} (looked for {string.Join(", ", ImageFile.Extensions)})");
        string root = CommonFolder(entries.Select(e => e.ImagePath).ToList());

        var results = new CheckedImage[entries.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, entries.Count, options, i => results[i] = Check(entries[i], root, cacheImageSize));

        // Report in path order so the printed log does not depend on thread timing.
        foreach (var r in results)
            foreach (var issue in r.Issues) log.Report(issue);

        var kept = new List<DatasetItem>(entries.Count);
        foreach (var r in results) if (r.Item is not null) kept.Add(r.Item);
        var index = new DatasetIndex(splitName, numClasses, kept, root, CombineDigests(results.Select(r => r.Digest)),
            entries.Count - kept.Count, Math.Max(0, cacheImageSize));
        log.RecordImages(splitName, kept.Count, index.BackgroundCount);
        if (kept.Count == 0 && results.All(r => r.Decoded is false))
            throw new InvalidDataException($"{splitName}: none of the {entries.Count} images could be read; {log.Summary()}");
        if (requireLabels) RequireLabels(splitName, entries, results, log);
        return index;
    }

    /// <summary>One image to check and where its labels come from.</summary>
    abstract record Entry(string ImagePath);
    sealed record YoloEntry(string ImagePath, int NumClasses) : Entry(ImagePath);
    sealed record CocoEntry(string ImagePath, CocoJson File, CocoJson.Image Image, List<CocoJson.Annotation> Annotations) : Entry(ImagePath);

    sealed record CheckedImage(DatasetItem? Item, List<DataIssue> Issues, byte[] Digest, bool Decoded, LabelFileState Labels);

    static List<Entry> Entries(List<string> sources, int numClasses, Func<string, string?>? cocoImages)
    {
        var entries = new List<Entry>();
        var plain = new List<string>();
        foreach (var s in sources)
        {
            if (Path.GetExtension(s).Equals(".json", StringComparison.OrdinalIgnoreCase)) entries.AddRange(CocoEntries(s, numClasses, cocoImages));
            else plain.Add(s);
        }
        if (plain.Count > 0) entries.AddRange(ImageSources.Expand(plain).Select(p => new YoloEntry(p, numClasses)));
        entries.Sort((a, b) => string.CompareOrdinal(a.ImagePath, b.ImagePath));
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].ImagePath == entries[i - 1].ImagePath)
                throw new InvalidDataException($"{entries[i].ImagePath} is listed twice by the split's sources ({string.Join(", ", sources)})");
        return entries;
    }

    static IEnumerable<Entry> CocoEntries(string jsonPath, int numClasses, Func<string, string?>? cocoImages)
    {
        var file = CocoJson.Load(jsonPath);
        if (file.Categories.Count != numClasses)
            throw new InvalidDataException($"{file.Path}: {file.Categories.Count} categories, but the dataset has {numClasses} classes");
        string folder = cocoImages?.Invoke(jsonPath) ?? file.FindImageFolder();
        var byImage = new Dictionary<long, List<CocoJson.Annotation>>(file.Images.Count);
        foreach (var img in file.Images) byImage.TryAdd(img.Id, []);
        foreach (var a in file.Annotations)
            if (byImage.TryGetValue(a.ImageId, out var list)) list.Add(a);
        foreach (var img in file.Images)
            yield return new CocoEntry(Path.GetFullPath(Path.Combine(folder, img.FileName)), file, img, byImage[img.Id]);
    }

    static CheckedImage Check(Entry entry, string root, int cacheSize)
    {
        var issues = new List<DataIssue>();
        string imagePath = entry.ImagePath;
        long fileSize = -1;
        Mat image;
        try
        {
            fileSize = new FileInfo(imagePath).Length;
            image = ImageFile.Read(imagePath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            string reason = e.Message.StartsWith(imagePath, StringComparison.Ordinal) ? e.Message[(imagePath.Length + 1)..].TrimStart() : e.Message;
            issues.Add(new DataIssue(DataIssueKind.CorruptImage, imagePath, 0, $"image left out: {reason}", IssueAction.Skipped));
            return new CheckedImage(null, issues, ItemDigest(root, imagePath, fileSize, null), false, LabelFileState.Missing);
        }
        using (image)
        {
            int w = image.Width, h = image.Height;
            var labels = entry switch
            {
                YoloEntry y => YoloLabels(y, issues),
                CocoEntry c => CocoLabels.Convert(c.File, c.Image, c.Annotations, w, h, issues),
                _ => throw new InvalidOperationException(entry.GetType().Name),
            };
            byte[] digest = ItemDigest(root, imagePath, fileSize, labels.Text);
            if (labels.State == LabelFileState.Unreadable) return new CheckedImage(null, issues, digest, true, labels.State);
            if (labels.State == LabelFileState.AllInvalid)
            {
                issues.Add(new DataIssue(DataIssueKind.AllLabelsInvalid, imagePath, 0,
                    $"every label in {labels.Source} is invalid; image left out rather than trained as a background", IssueAction.Skipped));
                return new CheckedImage(null, issues, digest, true, labels.State);
            }
            Mat? cached = cacheSize > 0 ? LongSideResize.Apply(image.Clone(), cacheSize) : null;
            var item = new DatasetItem(imagePath, labels.Source, w, h, labels.Labels, cached, labels.PixelBoxes, labels.Crowd);
            return new CheckedImage(item, issues, digest, true, labels.State);
        }
    }

    static LabelSet YoloLabels(YoloEntry entry, List<DataIssue> issues)
    {
        string labelPath = LabelPaths.ForImage(entry.ImagePath);
        var read = LabelReader.Read(labelPath, entry.NumClasses, issues, out string? text);
        return new LabelSet(read.State, read.Labels, labelPath, text, null, []);
    }

    /// <summary>A split whose images have no labels at all cannot be trained or validated: say where labels were looked for.</summary>
    static void RequireLabels(string split, List<Entry> entries, CheckedImage[] results, DataIssueLog log)
    {
        int labelled = 0, yolo = 0, yoloFound = 0, allInvalid = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            if (results[i].Item is { IsBackground: false }) labelled++;
            if (results[i].Labels == LabelFileState.AllInvalid) allInvalid++;
            if (entries[i] is YoloEntry && results[i].Decoded)
            {
                yolo++;
                if (results[i].Labels != LabelFileState.Missing) yoloFound++;
            }
        }
        if (labelled > 0) return;
        var first = entries.FirstOrDefault(e => e is YoloEntry);
        string where = first is null ? "" :
            $" Labels are looked for in a 'labels' folder beside 'images' with the image's name and .txt (for {first.ImagePath}: {LabelPaths.ForImage(first.ImagePath)}).";
        string what = yolo > 0 && yoloFound == 0
            ? $"no label file was found for any of its {yolo} readable images."
            : allInvalid > 0 ? $"every label of its images is invalid ({allInvalid} images left out)." : "none of its images has a labelled object.";
        string metrics = split == "train" ? "" : " Metrics cannot be computed without labels.";
        throw new InvalidDataException($"{split}: {what}{where}{metrics} {log.Summary()}");
    }

    static byte[] ItemDigest(string root, string imagePath, long fileSize, string? labelText)
    {
        string relative = Path.GetRelativePath(root, imagePath).Replace('\\', '/');
        var text = $"{relative}\n{fileSize}\n{(labelText is null ? "-" : "+" + labelText)}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    static string CombineDigests(IEnumerable<byte[]> digests)
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
