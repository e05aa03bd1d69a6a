using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Forge.Data.Datasets;

/// <summary>
/// Reads Ultralytics data.yaml files: <c>path</c> (absolute, or relative to the yaml's folder; default that folder),
/// <c>train</c>/<c>val</c>/<c>test</c> as a folder, a .txt image list, or a list of those (relative to <c>path</c>),
/// <c>names</c> as a list or a {0: a, 1: b} map, and optional <c>nc</c> that must agree with the names.
/// A split may also be a COCO annotation file (<c>val: annotations/instances_val2017.json</c>, images found in
/// <c>val2017/</c> or <c>images/val2017/</c> beside <c>annotations/</c>) or name the image folder itself
/// (<c>val: {json: annotations/instances_val2017.json, images: val2017}</c>); <c>names</c> then defaults to the json's
/// categories in id order, and every json of the dataset must list the same categories.
/// </summary>
public static class DataYaml
{
    public static DatasetSpec Load(string path)
    {
        string yamlPath = Path.GetFullPath(path);
        if (!File.Exists(yamlPath)) throw new FileNotFoundException($"{yamlPath}: dataset yaml not found", yamlPath);
        var root = ReadRoot(yamlPath);
        string yamlDir = Path.GetDirectoryName(yamlPath)!;

        string datasetRoot = yamlDir;
        if (Scalar(root, "path", yamlPath) is { Length: > 0 } p)
            datasetRoot = Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(yamlDir, p));
        if (!Directory.Exists(datasetRoot))
            throw Error(yamlPath, "path", $"dataset folder {datasetRoot} does not exist");

        var cocoImages = new Dictionary<string, string>();
        var train = Sources(root, "train", yamlPath, datasetRoot, required: true, cocoImages);
        var val = Sources(root, "val", yamlPath, datasetRoot, required: false, cocoImages);
        if (val.Count == 0) val = Sources(root, "validation", yamlPath, datasetRoot, required: false, cocoImages);
        if (val.Count == 0) throw Error(yamlPath, "val", "missing: give the validation images (a folder, a .txt list, a COCO json, or a list of them)");
        var test = Sources(root, "test", yamlPath, datasetRoot, required: false, cocoImages);
        string[] names = ReadNames(root, yamlPath, CocoCategories(yamlPath, train.Concat(val).Concat(test)));
        return new DatasetSpec(yamlPath, datasetRoot, train, val, test, names) { CocoImageFolders = cocoImages };
    }

    /// <summary>The category names shared by every COCO json source (null when there is none); differing category lists are an error.</summary>
    static string[]? CocoCategories(string yamlPath, IEnumerable<string> sources)
    {
        CocoJson? first = null;
        foreach (var source in sources)
        {
            if (!Path.GetExtension(source).Equals(".json", StringComparison.OrdinalIgnoreCase)) continue;
            var file = CocoJson.Load(source);
            if (first is null) { first = file; continue; }
            var a = first.Categories.Select(c => c.Id);
            if (!a.SequenceEqual(file.Categories.Select(c => c.Id)))
                throw new InvalidDataException($"{yamlPath}: {first.Path} and {file.Path} list different category ids; class ids would not match across splits");
        }
        return first?.Names;
    }

    static YamlMappingNode ReadRoot(string yamlPath)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(yamlPath);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{yamlPath}:{e.Start.Line}: not valid YAML ({e.Message})", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new InvalidDataException($"{yamlPath}: expected a mapping with keys path, train, val, names");
        return map;
    }

    static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    static string? Scalar(YamlMappingNode map, string key, string yamlPath)
    {
        var node = Get(map, key);
        if (node is null) return null;
        if (node is not YamlScalarNode s) throw Error(yamlPath, key, "expected a single value");
        return IsNull(s) ? null : s.Value;
    }

    static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    static string[] ReadNames(YamlMappingNode root, string yamlPath, string[]? cocoNames)
    {
        var node = Get(root, "names");
        if (cocoNames is not null && node is (null or YamlScalarNode { Value: null or "" or "~" or "null" }))
        {
            if (Scalar(root, "nc", yamlPath) is { } ncGiven && ncGiven != cocoNames.Length.ToString(CultureInfo.InvariantCulture))
                throw Error(yamlPath, "nc", $"nc is {ncGiven} but the COCO json lists {cocoNames.Length} categories");
            return cocoNames;
        }
        int? nc = null;
        if (Scalar(root, "nc", yamlPath) is { } ncText)
        {
            if (!int.TryParse(ncText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n <= 0)
                throw Error(yamlPath, "nc", $"'{ncText}' is not a positive integer");
            nc = n;
        }

        string[] names;
        switch (node)
        {
            case null:
            case YamlScalarNode s when IsNull(s):
                if (nc is null) throw Error(yamlPath, "names", "missing: list the class names (or at least give nc)");
                names = new string[nc.Value];
                for (int i = 0; i < names.Length; i++) names[i] = $"class{i}";
                return names;
            case YamlSequenceNode seq:
                names = new string[seq.Children.Count];
                for (int i = 0; i < names.Length; i++)
                    names[i] = seq.Children[i] is YamlScalarNode n ? n.Value ?? "" : throw Error(yamlPath, "names", $"entry {i} is not a plain name");
                break;
            case YamlMappingNode map:
                var byId = new SortedDictionary<int, string>();
                foreach (var (k, v) in map.Children)
                {
                    string keyText = (k as YamlScalarNode)?.Value ?? "";
                    if (!int.TryParse(keyText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0)
                        throw Error(yamlPath, "names", $"key '{keyText}' is not a class id (0, 1, 2, ...)");
                    if (v is not YamlScalarNode vn) throw Error(yamlPath, "names", $"class {id} has no plain name");
                    if (!byId.TryAdd(id, vn.Value ?? "")) throw Error(yamlPath, "names", $"class id {id} appears twice");
                }
                names = new string[byId.Count];
                int expected = 0;
                foreach (var (id, name) in byId)
                {
                    if (id != expected)
                        throw Error(yamlPath, "names", $"class ids must run 0..{byId.Count - 1} without gaps, but {expected} is missing (next id is {id})");
                    names[expected++] = name;
                }
                break;
            default:
                throw Error(yamlPath, "names", "expected a list of names or a map {0: name, 1: name}");
        }
        if (names.Length == 0) throw Error(yamlPath, "names", "no class names given");
        if (nc is { } count && count != names.Length)
            throw Error(yamlPath, "nc", $"nc is {count} but names lists {names.Length} classes; make them agree (or drop nc)");
        if (cocoNames is not null && cocoNames.Length != names.Length)
            throw Error(yamlPath, "names", $"names lists {names.Length} classes but the COCO json has {cocoNames.Length} categories");
        return names;
    }

    static IReadOnlyList<string> Sources(YamlMappingNode root, string key, string yamlPath, string datasetRoot, bool required,
        Dictionary<string, string> cocoImages)
    {
        var node = Get(root, key);
        var entries = new List<YamlNode>();
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode s:
                if (!IsNull(s) && !string.IsNullOrWhiteSpace(s.Value)) entries.Add(s);
                break;
            case YamlMappingNode:
                entries.Add(node);
                break;
            case YamlSequenceNode seq:
                entries.AddRange(seq.Children);
                break;
            default:
                throw Error(yamlPath, key, "expected a path or a list of paths");
        }
        if (entries.Count == 0)
        {
            if (required) throw Error(yamlPath, key, "missing: give the images (a folder, a .txt list, a COCO json, or a list of them)");
            return [];
        }
        var resolved = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case YamlScalarNode e when !string.IsNullOrWhiteSpace(e.Value):
                    resolved.Add(Resolve(e.Value!, key, yamlPath, datasetRoot));
                    break;
                case YamlMappingNode map:
                    string json = Scalar(map, "json", yamlPath) ?? throw Error(yamlPath, key, "a mapping entry needs 'json:' (a COCO annotation file) and optionally 'images:' (its image folder)");
                    if (!json.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) throw Error(yamlPath, key, $"json: '{json}' is not a .json file");
                    string full = Resolve(json, key, yamlPath, datasetRoot);
                    if (Scalar(map, "images", yamlPath) is { Length: > 0 } images)
                    {
                        string folder = Resolve(images, key, yamlPath, datasetRoot);
                        if (!Directory.Exists(folder)) throw Error(yamlPath, key, $"images: {folder} is not a folder");
                        cocoImages[full] = folder;
                    }
                    foreach (var (k, _) in map.Children)
                        if (k is YamlScalarNode { Value: var name } && name is not ("json" or "images"))
                            throw Error(yamlPath, key, $"unknown key '{name}' (use json: and images:)");
                    resolved.Add(full);
                    break;
                default:
                    throw Error(yamlPath, key, "list entries must be paths, or {json: ..., images: ...} for a COCO json");
            }
        }
        return resolved;
    }

    static string Resolve(string entry, string key, string yamlPath, string datasetRoot)
    {
        string full = Path.GetFullPath(Path.IsPathRooted(entry) ? entry : Path.Combine(datasetRoot, entry));
        // Ultralytics also accepts '../x' written relative to a parent that turned out to be the root itself.
        if (!Exists(full) && entry.StartsWith("../", StringComparison.Ordinal))
        {
            string alt = Path.GetFullPath(Path.Combine(datasetRoot, entry[3..]));
            if (Exists(alt)) full = alt;
        }
        if (!Exists(full)) throw Error(yamlPath, key, $"{full} does not exist (resolved from '{entry}' against {datasetRoot})");
        return full;
    }

    static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    static InvalidDataException Error(string yamlPath, string key, string message) => new($"{yamlPath}: '{key}': {message}");
}
