using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Forge.Synthetic;

/// <summary>
/// The ".forge-dataset.json" file written last into a generated dataset: which generator, version and options made it,
/// and a hash of every image and label file. A dataset is reused only when all of these still match.
/// </summary>
internal sealed record DatasetMarker(string Generator, int Version, ShapesDatasetOptions Options, int TrainImages, int ValImages, string ContentHash)
{
    public const string FileName = ".forge-dataset.json";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void Write(string datasetFolder) => File.WriteAllText(Path.Combine(datasetFolder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The marker in <paramref name="datasetFolder"/>, or null when it is missing or unreadable (treated as "not generated").</summary>
    public static DatasetMarker? TryRead(string datasetFolder)
    {
        try { return JsonSerializer.Deserialize<DatasetMarker>(File.ReadAllText(Path.Combine(datasetFolder, FileName)), Json); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException) { return null; }
    }

    /// <summary>SHA-256 over the relative path and bytes of every file under images/ and labels/, in ordinal path order.</summary>
    public static string HashContent(string datasetFolder)
    {
        var files = new List<string>();
        foreach (string sub in new[] { "images", "labels" })
        {
            string dir = Path.Combine(datasetFolder, sub);
            if (Directory.Exists(dir)) files.AddRange(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories));
        }
        var relative = files.ConvertAll(f => Path.GetRelativePath(datasetFolder, f).Replace('\\', '/'));
        relative.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string rel in relative)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(rel + "\n"));
            hash.AppendData(File.ReadAllBytes(Path.Combine(datasetFolder, rel)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
