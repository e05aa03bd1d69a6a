using Forge.Core.Serialization;

namespace Forge.Bench.Workloads;

/// <summary>Byte-for-byte comparison of two checkpoint files' tensors.</summary>
public static class CheckpointDiff
{
    /// <returns>How many tensors with the given prefixes were compared, and the names that differ or are missing in <paramref name="b"/>.</returns>
    public static (int Compared, List<string> Differing) Compare(string a, string b, params string[] prefixes)
    {
        var (ta, _) = SafeTensorsFile.Deserialize(File.ReadAllBytes(a), a);
        var (tb, _) = SafeTensorsFile.Deserialize(File.ReadAllBytes(b), b);
        var byName = tb.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var differing = new List<string>();
        int compared = 0;
        foreach (var t in ta)
        {
            if (!prefixes.Any(p => t.Name.StartsWith(p, StringComparison.Ordinal))) continue;
            compared++;
            if (!byName.TryGetValue(t.Name, out var other) || !t.Shape.SequenceEqual(other.Shape) || !t.Data.AsSpan().SequenceEqual(other.Data))
                differing.Add(t.Name);
        }
        return (compared, differing);
    }

    public static string? Metadata(string path, string key) =>
        SafeTensorsFile.Deserialize(File.ReadAllBytes(path), path).Metadata.TryGetValue(key, out var v) ? v : null;
}
