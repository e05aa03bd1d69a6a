using System.Text;
using System.Text.RegularExpressions;

namespace Forge.Data.Sources;

/// <summary>
/// File globs as Python's glob.glob(pattern, recursive=True) reads them: '*' and '?' within one path part, '[...]' a
/// character class, '**' any number of folders; names starting with '.' are matched only by a pattern part that starts with '.'.
/// </summary>
public static class Glob
{
    public static bool IsPattern(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>Files matching <paramref name="pattern"/> (absolute or relative to the current folder), sorted ordinally.</summary>
    public static List<string> Files(string pattern)
    {
        string full = Path.GetFullPath(pattern);
        string[] parts = full.Split(Path.DirectorySeparatorChar);
        int firstWild = Array.FindIndex(parts, IsPattern);
        if (firstWild < 0) return File.Exists(full) ? [full] : [];
        string root = string.Join(Path.DirectorySeparatorChar, parts[..firstWild]);
        if (root.Length == 0) root = Path.DirectorySeparatorChar.ToString();
        if (!Directory.Exists(root)) return [];
        var regex = new Regex("^" + ToRegex(parts[firstWild..]) + "$", RegexOptions.CultureInvariant);
        bool recursive = parts.Skip(firstWild).Any(p => p == "**") || parts.Length - firstWild > 1;
        var found = new List<string>();
        var option = new EnumerationOptions { RecurseSubdirectories = recursive, AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Simple };
        foreach (var f in Directory.EnumerateFiles(root, "*", option))
        {
            string rel = Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/');
            if (regex.IsMatch(rel)) found.Add(f);
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    static string ToRegex(string[] parts)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            bool last = i == parts.Length - 1;
            if (part == "**")
            {
                // Zero or more folders (not hidden ones); as the last part, any file below.
                sb.Append(last ? @"(?:[^/.][^/]*/)*[^/.][^/]*" : @"(?:[^/.][^/]*/)*");
                continue;
            }
            if (!part.StartsWith('.')) sb.Append("(?=[^.])");
            for (int k = 0; k < part.Length; k++)
            {
                char c = part[k];
                switch (c)
                {
                    case '*': sb.Append("[^/]*"); break;
                    case '?': sb.Append("[^/]"); break;
                    case '[':
                        int close = part.IndexOf(']', k + 2);
                        if (close < 0) { sb.Append(@"\["); break; }
                        string set = part[(k + 1)..close];
                        sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                        k = close;
                        break;
                    default: sb.Append(Regex.Escape(c.ToString())); break;
                }
            }
            if (!last) sb.Append('/');
        }
        return sb.ToString();
    }
}
