using Forge.Data.Imaging;

namespace Forge.Data.Sources;

/// <summary>
/// Expands a predict <c>source=</c> into input files as Ultralytics' LoadImagesAndVideos does: an image or video file, a
/// folder (its files, not recursive), a glob ('dir/*.jpg', 'dir/**/*.png'), or a .txt list with one of those per line
/// (relative lines against the list's folder, entries sorted). Images come first, then videos, each in that order; other
/// files are ignored.
/// </summary>
public static class PredictSources
{
    /// <summary>Video extensions (Ultralytics VID_FORMATS); read with OpenCV's FFMPEG backend.</summary>
    public static readonly string[] VideoExtensions = [".asf", ".avi", ".gif", ".m4v", ".mkv", ".mov", ".mp4", ".mpeg", ".mpg", ".ts", ".wmv", ".webm"];

    public static bool IsVideoFile(string path) => Array.IndexOf(VideoExtensions, Path.GetExtension(path).ToLowerInvariant()) >= 0;

    /// <summary>
    /// The input files of <paramref name="source"/> with unique output stems. Throws <see cref="FileNotFoundException"/> for a
    /// path that does not exist and <see cref="ArgumentException"/> when nothing usable was found.
    /// </summary>
    public static List<SourceFile> Expand(string source)
    {
        if (string.IsNullOrWhiteSpace(source)) throw new ArgumentException("source is empty: give an image, video, folder, glob or .txt list");
        var files = new List<string>();
        if (Path.GetExtension(source).Equals(".txt", StringComparison.OrdinalIgnoreCase) && File.Exists(source))
        {
            string parent = Path.GetDirectoryName(Path.GetFullPath(source))!;
            // Ultralytics sorts the listed entries before expanding them.
            var lines = File.ReadLines(source).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Order(StringComparer.Ordinal);
            foreach (var line in lines) files.AddRange(One(line, parent, listedIn: source));
        }
        else files.AddRange(One(source, null, null));

        var images = files.Where(f => !IsVideoFile(f) && ImageFile.IsImageFile(f)).Distinct().ToList();
        var videos = files.Where(IsVideoFile).Distinct().ToList();
        if (images.Count + videos.Count == 0)
            throw new ArgumentException($"source={source}: no images or videos found (images: {string.Join(" ", ImageFile.Extensions)}; videos: {string.Join(" ", VideoExtensions)})");
        var result = new List<SourceFile>(images.Count + videos.Count);
        var stems = new OutputStems();
        foreach (var f in images) result.Add(new SourceFile(f, SourceKind.Image, stems.For(f)));
        foreach (var f in videos) result.Add(new SourceFile(f, SourceKind.Video, stems.For(f)));
        return result;
    }

    /// <summary>One source entry: a glob, a folder (sorted files), a file (absolute, or relative to the current folder, then to the list's folder).</summary>
    static List<string> One(string entry, string? parent, string? listedIn)
    {
        string full = Path.GetFullPath(entry);
        if (Glob.IsPattern(entry) && !File.Exists(full)) return Glob.Files(entry);
        if (Directory.Exists(full))
            return Directory.EnumerateFiles(full).Order(StringComparer.Ordinal).ToList();
        if (File.Exists(full)) return [full];
        if (parent is not null && File.Exists(Path.Combine(parent, entry))) return [Path.GetFullPath(Path.Combine(parent, entry))];
        string where = listedIn is null ? "" : $" (listed in {listedIn})";
        throw new FileNotFoundException($"source {entry}{where} does not exist: give an image, video, folder, glob or .txt list", entry);
    }
}
