namespace Forge.Testing;

/// <summary>
/// Where the shared reference data is (tests and benchmarks): the shared folder (env FORGE_SHARED, else 'shared' beside the
/// repository root, else /work/shared) with fixtures/yolov8n-coco.safetensors, and COCO128 (env FORGE_COCO128, else
/// data/coco128 beside the shared folder, else /work/data/coco128). Each is null when absent: callers skip or fall back.
/// </summary>
public static class FixturePaths
{
    public static string? SharedFolder { get; } = FindShared();

    /// <summary>The COCO-trained YOLOv8n (float32 safetensors, Ultralytics' tensor names).</summary>
    public static string? Yolov8nCoco { get; } =
        SharedFolder is { } s && File.Exists(Path.Combine(s, "fixtures", "yolov8n-coco.safetensors")) ? Path.Combine(s, "fixtures", "yolov8n-coco.safetensors") : null;

    /// <summary>A folder with data.yaml and images/val2017.</summary>
    public static string? Coco128 { get; } = FindCoco128();

    static string? FindShared()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) dir = dir.Parent;
        if (dir?.Parent is { } parent && Directory.Exists(Path.Combine(parent.FullName, "shared"))) return Path.Combine(parent.FullName, "shared");
        return Directory.Exists("/work/shared") ? "/work/shared" : null;
    }

    static string? FindCoco128()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_COCO128");
        if (!string.IsNullOrEmpty(env)) return File.Exists(Path.Combine(env, "data.yaml")) ? Path.GetFullPath(env) : null;
        foreach (var candidate in new[] { SharedFolder is null ? null : Path.Combine(SharedFolder, "..", "data", "coco128"), "/work/data/coco128" })
            if (candidate is not null && File.Exists(Path.Combine(candidate, "data.yaml"))) return Path.GetFullPath(candidate);
        return null;
    }
}
