namespace Forge.Data.Sources;

/// <summary>
/// Names outputs so that different inputs never overwrite each other: the first file with a stem gets the plain stem
/// (x.jpg gives x), a later one with the same stem adds its extension (x.png gives x_png), and a further clash (same
/// name in another folder) a counter (x_png_2). Comparison ignores case, so outputs stay apart on any file system.
/// </summary>
public sealed class OutputStems
{
    readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    public string For(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        if (_taken.Add(stem)) return stem;
        string ext = Path.GetExtension(path).TrimStart('.');
        string withExt = ext.Length > 0 ? $"{stem}_{ext}" : stem;
        if (_taken.Add(withExt)) return withExt;
        for (int n = 2; ; n++)
            if (_taken.Add($"{withExt}_{n}")) return $"{withExt}_{n}";
    }
}
