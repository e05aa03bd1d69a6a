using Forge.Data.Imaging;

namespace Forge.Data.Datasets;

/// <summary>Turns image sources (folders, .txt lists of images, image files) into a sorted list of image paths.</summary>
public static class ImageSources
{
    /// <summary>
    /// Folders are searched recursively for image files; a .txt file lists one image per line, relative entries
    /// resolved against the .txt's folder (as Ultralytics does for './' entries). Listed files that turn out missing
    /// are kept, so the index reports them as unreadable. The result is sorted (ordinal) and without duplicates.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> sources)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            string full = Path.GetFullPath(source);
            if (Directory.Exists(full))
            {
                foreach (var f in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
                    if (ImageFile.IsImageFile(f)) found.Add(f);
            }
            else if (File.Exists(full) && Path.GetExtension(full).Equals(".txt", StringComparison.OrdinalIgnoreCase))
            {
                string dir = Path.GetDirectoryName(full)!;
                foreach (var raw in File.ReadLines(full))
                {
                    string entry = raw.Trim();
                    if (entry.Length == 0 || entry.StartsWith('#')) continue;
                    string image = Path.GetFullPath(Path.IsPathRooted(entry) ? entry : Path.Combine(dir, entry));
                    if (ImageFile.IsImageFile(image)) found.Add(image);
                }
            }
            else if (File.Exists(full))
            {
                if (!ImageFile.IsImageFile(full))
                    throw new InvalidDataException($"{full}: not an image ({string.Join(", ", ImageFile.Extensions)}), folder or .txt image list");
                found.Add(full);
            }
            else
            {
                throw new FileNotFoundException($"{full}: image source does not exist (expected a folder, a .txt image list or an image)", full);
            }
        }
        var list = new List<string>(found);
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
