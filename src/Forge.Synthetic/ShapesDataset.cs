using System.Globalization;
using System.Text;
using Forge.Core.Randomness;
using Forge.Data.Imaging;

namespace Forge.Synthetic;

/// <summary>
/// Forge's built-in detection dataset: coloured shapes on cluttered backgrounds, generated deterministically on first use
/// in Ultralytics layout (images/{train,val}/*.jpg, labels/{train,val}/*.txt, data.yaml), so training runs with no download.
/// </summary>
public static class ShapesDataset
{
    /// <summary>Bump whenever the generated content changes for the same options, so old copies are rebuilt.</summary>
    public const int GeneratorVersion = 2;   // 2: drawn with OpenCV (fillPoly, polylines, blendLinear)
    const string GeneratorName = "forge-shapes";
    static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Class names in class-id order (the lower-case <see cref="ShapeKind"/> names).</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["circle", "square", "triangle", "star", "cross", "crescent"];

    /// <summary>
    /// Returns the path of <c>&lt;datasetsRoot&gt;/&lt;name&gt;/data.yaml</c>, generating the dataset first unless a complete copy made
    /// with the same generator version and options is already there. Generation happens in a temporary sibling folder that is
    /// renamed into place, so a crash never leaves half a dataset; a lock file serialises concurrent processes.
    /// Refuses to replace a folder of that name that Forge did not generate.
    /// </summary>
    public static string Ensure(string datasetsRoot, ShapesDatasetOptions? options = null)
    {
        options ??= new ShapesDatasetOptions();
        options.Validate();
        string root = Path.GetFullPath(datasetsRoot);
        Directory.CreateDirectory(root);
        string final = Path.Combine(root, options.Name);
        if (IsCurrent(final, options)) return EnsureYaml(final, options);

        using (AcquireLock(root, options.Name))
        {
            if (IsCurrent(final, options)) return EnsureYaml(final, options); // another process finished while we waited
            RefuseForeignFolder(final);
            RemoveLeftovers(root, options.Name);
            string temp = Path.Combine(root, $".{options.Name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                Generate(temp, options, yamlPath: final);
                MoveIntoPlace(temp, final, root, options);
            }
            finally
            {
                TryDeleteFolder(temp);
            }
        }
        return EnsureYaml(final, options);
    }

    /// <summary>
    /// Writes the dataset into <paramref name="folder"/> (created; should be empty) without any locking or reuse checks.
    /// <paramref name="yamlPath"/> is the folder data.yaml's <c>path:</c> names (default: <paramref name="folder"/> itself).
    /// </summary>
    public static void Generate(string folder, ShapesDatasetOptions? options = null, string? yamlPath = null)
    {
        options ??= new ShapesDatasetOptions();
        options.Validate();
        folder = Path.GetFullPath(folder);
        WriteSplit(folder, "train", options.TrainImages, splitId: 0, options);
        WriteSplit(folder, "val", options.ValImages, splitId: 1, options);
        File.WriteAllText(Path.Combine(folder, "data.yaml"), YamlText(Path.GetFullPath(yamlPath ?? folder), options));
        // The marker goes last: its presence means everything before it was written completely.
        new DatasetMarker(GeneratorName, GeneratorVersion, options, options.TrainImages, options.ValImages, DatasetMarker.HashContent(folder)).Write(folder);
    }

    /// <summary>Whether <paramref name="folder"/> holds a complete dataset from this generator version and these options, unmodified.</summary>
    public static bool IsCurrent(string folder, ShapesDatasetOptions options)
    {
        if (!File.Exists(Path.Combine(folder, DatasetMarker.FileName))) return false;
        var marker = DatasetMarker.TryRead(folder);
        if (marker is null || marker.Generator != GeneratorName || marker.Version != GeneratorVersion || marker.Options != options
            || marker.TrainImages != options.TrainImages || marker.ValImages != options.ValImages)
            return false;
        try { return marker.ContentHash == DatasetMarker.HashContent(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static void WriteSplit(string folder, string split, int count, int splitId, ShapesDatasetOptions options)
    {
        string images = Path.Combine(folder, "images", split), labels = Path.Combine(folder, "labels", split);
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(labels);
        // Each image has its own random stream, so parallel generation gives the same bytes as sequential.
        Parallel.For(0, count, i =>
        {
            var rng = DeterministicRandom.ForStream((ulong)(uint)options.Seed, ((ulong)splitId << 32) | (uint)i);
            using var scene = ShapesSceneGenerator.Generate(ref rng, options);
            string stem = $"{split}_{i:D5}";
            ImageFile.Write(scene.Image, Path.Combine(images, stem + ".jpg"), options.JpegQuality);
            File.WriteAllText(Path.Combine(labels, stem + ".txt"), LabelText(scene));
        });
    }

    /// <summary>One "class cx cy w h" line per object, normalised to the image size, six decimals.</summary>
    internal static string LabelText(ShapesScene scene)
    {
        var text = new StringBuilder();
        float w = scene.Image.Width, h = scene.Image.Height;
        foreach (var o in scene.Objects)
        {
            var b = o.Box;
            text.Append(o.ClassId.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append((b.CenterX / w).ToString("F6", CultureInfo.InvariantCulture)).Append(' ')
                .Append((b.CenterY / h).ToString("F6", CultureInfo.InvariantCulture)).Append(' ')
                .Append((b.Width / w).ToString("F6", CultureInfo.InvariantCulture)).Append(' ')
                .Append((b.Height / h).ToString("F6", CultureInfo.InvariantCulture)).Append('\n');
        }
        return text.ToString();
    }

    static string YamlText(string datasetFolder, ShapesDatasetOptions options)
    {
        var yaml = new StringBuilder();
        yaml.Append("# Synthetic shapes detection dataset generated by Forge (").Append(GeneratorName).Append(" v").Append(GeneratorVersion)
            .Append(", seed ").Append(options.Seed.ToString(CultureInfo.InvariantCulture)).Append(").\n");
        yaml.Append("# Regenerated automatically when missing or changed; do not edit files here.\n");
        yaml.Append("path: '").Append(datasetFolder.Replace("'", "''")).Append("'\n");
        yaml.Append("train: images/train\n");
        yaml.Append("val: images/val\n");
        yaml.Append("nc: ").Append(ClassNames.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        yaml.Append("names:\n");
        for (int i = 0; i < ClassNames.Count; i++) yaml.Append("  ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(ClassNames[i]).Append('\n');
        return yaml.ToString();
    }

    /// <summary>data.yaml names the dataset's absolute folder; rewrite it (atomically) when the folder was moved or the file edited.</summary>
    static string EnsureYaml(string final, ShapesDatasetOptions options)
    {
        string path = Path.Combine(final, "data.yaml");
        string expected = YamlText(final, options);
        string? current = null;
        try { current = File.ReadAllText(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (current == expected) return path;
        string temp = path + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        File.WriteAllText(temp, expected);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// An exclusive lock on a file beside the dataset. .NET takes an advisory lock (flock) for FileShare.None on Unix and a
    /// sharing lock on Windows, so this works across processes; waiting ends after <see cref="LockTimeout"/> with advice.
    /// </summary>
    static FileStream AcquireLock(string root, string name)
    {
        string path = Path.Combine(root, $".{name}.lock");
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException e)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"waited {LockTimeout.TotalMinutes:0} min for {path}: another process seems to be generating the '{name}' dataset. " +
                        $"If no Forge process is running, delete {path} and retry.", e);
                Thread.Sleep(100);
            }
        }
    }

    static void RefuseForeignFolder(string final)
    {
        if (!Directory.Exists(final) || File.Exists(Path.Combine(final, DatasetMarker.FileName))) return;
        if (!Directory.EnumerateFileSystemEntries(final).Any()) return;
        throw new InvalidOperationException(
            $"{final} exists but has no {DatasetMarker.FileName}, so Forge did not generate it and will not overwrite it. " +
            "Move that folder away, or choose another name with ShapesDatasetOptions.Name.");
    }

    /// <summary>Temporary and replaced folders of earlier runs that crashed; only the lock holder can be generating, so they are stale.</summary>
    static void RemoveLeftovers(string root, string name)
    {
        foreach (string dir in Directory.EnumerateDirectories(root, $".{name}.tmp-*")) TryDeleteFolder(dir);
        foreach (string dir in Directory.EnumerateDirectories(root, $".{name}.old-*")) TryDeleteFolder(dir);
    }

    static void MoveIntoPlace(string temp, string final, string root, ShapesDatasetOptions options)
    {
        string? old = null;
        if (Directory.Exists(final))
        {
            old = Path.Combine(root, $".{options.Name}.old-{Guid.NewGuid():N}");
            Directory.Move(final, old);
        }
        try
        {
            Directory.Move(temp, final);
        }
        catch (IOException) when (IsCurrent(final, options))
        {
            // A process that could not take the lock (e.g. a file system without locks) won the rename race with the same content.
        }
        if (old is not null) TryDeleteFolder(old);
    }

    static void TryDeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a leftover is removed on the next generation
    }
}
