using Forge.Core.Serialization;

namespace Forge.EndToEnd.Tests;

public static class CheckpointComparison
{
    /// <summary>Names of tensors (with one of the prefixes) whose bytes differ between two checkpoint files, plus missing ones.</summary>
    public static List<string> DifferingTensors(string a, string b, params string[] prefixes)
    {
        var (ta, _) = SafeTensorsFile.Deserialize(File.ReadAllBytes(a), a);
        var (tb, _) = SafeTensorsFile.Deserialize(File.ReadAllBytes(b), b);
        var mapB = tb.ToDictionary(t => t.Name);
        var diff = new List<string>();
        int compared = 0;
        foreach (var t in ta)
        {
            if (!prefixes.Any(p => t.Name.StartsWith(p, StringComparison.Ordinal))) continue;
            compared++;
            if (!mapB.TryGetValue(t.Name, out var other) || !t.Data.AsSpan().SequenceEqual(other.Data) || !t.Shape.SequenceEqual(other.Shape))
                diff.Add(t.Name);
        }
        if (compared == 0) diff.Add($"(no tensors with prefixes {string.Join(",", prefixes)} in {a})");
        return diff;
    }

    public static Dictionary<string, string> Metadata(string path) => SafeTensorsFile.Deserialize(File.ReadAllBytes(path), path).Metadata;
}
