namespace Forge.Export.Tests;

/// <summary>
/// The shared reference fixtures (../shared/fixtures: COCO-trained YOLOv8n weights, COCO128): env FORGE_SHARED if set, else
/// the folder 'shared' beside the repository root, else /work/shared. Tests that need them skip with a message when absent.
/// </summary>
public static class SharedFixtures
{
    public static string? Folder { get; } = Find();

    public static string? Yolov8nCoco => Folder is null ? null : File(Path.Combine(Folder, "fixtures", "yolov8n-coco.safetensors"));

    /// <summary>COCO128 in Ultralytics layout (data.yaml, images/val2017): env FORGE_COCO128, else data/coco128 beside the shared folder.</summary>
    public static string? Coco128 { get; } = FindCoco128();

    static string? FindCoco128()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_COCO128");
        if (!string.IsNullOrEmpty(env)) return System.IO.File.Exists(Path.Combine(env, "data.yaml")) ? env : null;
        foreach (var candidate in new[] { Folder is null ? null : Path.Combine(Folder, "..", "data", "coco128"), "/work/data/coco128" })
            if (candidate is not null && System.IO.File.Exists(Path.Combine(candidate, "data.yaml"))) return Path.GetFullPath(candidate);
        return null;
    }

    static string? File(string path) => System.IO.File.Exists(path) ? path : null;

    static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) dir = dir.Parent;
        if (dir?.Parent is { } parent && Directory.Exists(Path.Combine(parent.FullName, "shared"))) return Path.Combine(parent.FullName, "shared");
        return Directory.Exists("/work/shared") ? "/work/shared" : null;
    }
}

/// <summary>A fact that is skipped, saying why, when the shared fixture weights are not on this machine.</summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (SharedFixtures.Yolov8nCoco is null)
            Skip = "shared fixtures not found (set FORGE_SHARED or put them in ../shared/fixtures): yolov8n-coco.safetensors is needed";
    }
}

/// <summary>A fact that is skipped, saying why, unless both the fixture weights and COCO128 are on this machine.</summary>
public sealed class Coco128FactAttribute : FactAttribute
{
    public Coco128FactAttribute()
    {
        if (SharedFixtures.Yolov8nCoco is null) Skip = "shared fixtures not found (set FORGE_SHARED): yolov8n-coco.safetensors is needed";
        else if (SharedFixtures.Coco128 is null) Skip = "COCO128 not found (set FORGE_COCO128 to a folder with data.yaml and images/val2017)";
    }
}
