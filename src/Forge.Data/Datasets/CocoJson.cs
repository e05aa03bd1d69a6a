using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Data.Datasets;

/// <summary>
/// A COCO detection annotation file (instances_*.json, as pycocotools, MMDetection and DAMO-YOLO read it): images with
/// file names and sizes, annotations with category ids, bbox [x, y, width, height] in pixels and iscrowd, and the
/// categories. Only those fields are read; segmentations and the rest are skipped while streaming.
/// </summary>
public sealed class CocoJson
{
    public sealed record Image(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("file_name")] string FileName,
        [property: JsonPropertyName("width")] int Width,
        [property: JsonPropertyName("height")] int Height);

    public sealed record Annotation(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("image_id")] long ImageId,
        [property: JsonPropertyName("category_id")] long CategoryId,
        [property: JsonPropertyName("bbox")] double[]? Bbox,
        [property: JsonPropertyName("iscrowd")] int IsCrowd);

    public sealed record Category(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("name")] string Name);

    sealed record FileModel(
        [property: JsonPropertyName("images")] List<Image>? Images,
        [property: JsonPropertyName("annotations")] List<Annotation>? Annotations,
        [property: JsonPropertyName("categories")] List<Category>? Categories);

    public string Path { get; }
    public IReadOnlyList<Image> Images { get; }
    public IReadOnlyList<Annotation> Annotations { get; }
    /// <summary>Categories sorted by id: the class id of a category is its position here (contiguous, in id order).</summary>
    public IReadOnlyList<Category> Categories { get; }
    readonly Dictionary<long, int> _classOf;

    CocoJson(string path, List<Image> images, List<Annotation> annotations, List<Category> categories)
    {
        Path = path;
        Images = images;
        Annotations = annotations;
        categories.Sort((a, b) => a.Id.CompareTo(b.Id));
        Categories = categories;
        _classOf = new Dictionary<long, int>(categories.Count);
        for (int i = 0; i < categories.Count; i++)
            if (!_classOf.TryAdd(categories[i].Id, i))
                throw new InvalidDataException($"{path}: category id {categories[i].Id} appears twice in 'categories'");
    }

    public string[] Names => Categories.Select(c => c.Name).ToArray();

    /// <summary>The contiguous class id of a COCO category id, or -1 when the file does not list that category.</summary>
    public int ClassOf(long categoryId) => _classOf.TryGetValue(categoryId, out int c) ? c : -1;

    // The last file read, so data.yaml loading (categories) and indexing (annotations) parse a large file once.
    static readonly object s_gate = new();
    static (string Key, CocoJson File)? s_last;

    /// <summary>Reads the file. Throws <see cref="InvalidDataException"/> naming the file when it is not COCO json.</summary>
    public static CocoJson Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"{full}: COCO annotation file not found", full);
        string key = $"{full}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        lock (s_gate) if (s_last is { } last && last.Key == key) return last.File;

        FileModel? model;
        try
        {
            using var stream = File.OpenRead(full);
            model = JsonSerializer.Deserialize<FileModel>(stream, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowReadingFromString });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{full}:{(e.LineNumber ?? 0) + 1}: not a valid COCO json file ({e.Message})", e);
        }
        if (model is null || model.Images is null || model.Categories is null)
            throw new InvalidDataException($"{full}: not a COCO detection file: it needs 'images' and 'categories' arrays (and 'annotations')");
        if (model.Categories.Count == 0) throw new InvalidDataException($"{full}: 'categories' is empty: no classes to train");
        var file = new CocoJson(full, model.Images, model.Annotations ?? [], model.Categories);
        lock (s_gate) s_last = (key, file);
        return file;
    }

    /// <summary>
    /// The folder that a file's relative image names resolve against: for <c>annotations/instances_val2017.json</c>, the
    /// first of <c>&lt;root&gt;/val2017</c>, <c>&lt;root&gt;/images/val2017</c>, <c>&lt;root&gt;/images</c> and <c>&lt;root&gt;</c> (root = the
    /// json folder's parent when that folder is 'annotations', else the json folder) that holds the first image.
    /// Throws <see cref="InvalidDataException"/> listing the folders tried.
    /// </summary>
    public string FindImageFolder()
    {
        string jsonDir = System.IO.Path.GetDirectoryName(Path)!;
        string root = System.IO.Path.GetFileName(jsonDir).Equals("annotations", StringComparison.OrdinalIgnoreCase)
            ? System.IO.Path.GetDirectoryName(jsonDir)! : jsonDir;
        string stem = System.IO.Path.GetFileNameWithoutExtension(Path);
        string split = stem.StartsWith("instances_", StringComparison.OrdinalIgnoreCase) ? stem["instances_".Length..] : stem;
        var candidates = new[]
        {
            System.IO.Path.Combine(root, split), System.IO.Path.Combine(root, "images", split),
            System.IO.Path.Combine(root, "images"), root,
        };
        if (Images.Count == 0) return candidates[0];
        string probe = Images[0].FileName;
        foreach (var dir in candidates)
            if (File.Exists(System.IO.Path.Combine(dir, probe))) return dir;
        throw new InvalidDataException(
            $"{Path}: cannot find the images: '{probe}' is in none of {string.Join(", ", candidates)}. " +
            "Name the folder in data.yaml: train: {json: path/to/instances.json, images: path/to/images}");
    }
}
