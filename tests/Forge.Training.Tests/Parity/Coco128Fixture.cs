namespace Forge.Training.Tests.Parity;

/// <summary>
/// The reference fixtures for validation parity: the COCO-trained YOLOv8n of the shared fixtures folder (env FORGE_SHARED,
/// else 'shared' beside the repository root, else /work/shared) and COCO128 in Ultralytics layout (env FORGE_COCO128, else
/// 'data/coco128' beside the repository root, else /work/data/coco128; public repo lightly-ai/coco128_yolo). Either missing:
/// the tests skip, saying what they need.
/// </summary>
public static class Coco128Fixture
{
    public static string? Weights { get; } = FindFile(Environment.GetEnvironmentVariable("FORGE_SHARED"), "shared", "/work/shared", Path.Combine("fixtures", "yolov8n-coco.safetensors"));
    public static string? DataYaml { get; } = FindFile(Environment.GetEnvironmentVariable("FORGE_COCO128"), Path.Combine("data", "coco128"), "/work/data/coco128", "data.yaml");

    public static string? MissingReason =>
        Weights is null ? "yolov8n-coco.safetensors not found (set FORGE_SHARED or put the fixtures in ../shared/fixtures)"
        : DataYaml is null ? "COCO128 not found (set FORGE_COCO128 to a folder with its data.yaml, images/val2017 and labels/val2017)"
        : null;

    static string? FindFile(string? env, string besideRepo, string fallback, string relative)
    {
        if (!string.IsNullOrEmpty(env)) return File.Exists(Path.Combine(env, relative)) ? Path.Combine(env, relative) : null;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) dir = dir.Parent;
        if (dir?.Parent is { } parent && File.Exists(Path.Combine(parent.FullName, besideRepo, relative))) return Path.Combine(parent.FullName, besideRepo, relative);
        return File.Exists(Path.Combine(fallback, relative)) ? Path.Combine(fallback, relative) : null;
    }
}

/// <summary>A fact skipped, with the reason, when the COCO128 parity fixtures are not on this machine.</summary>
public sealed class Coco128FactAttribute : FactAttribute
{
    public Coco128FactAttribute()
    {
        if (Coco128Fixture.MissingReason is { } why) Skip = why;
    }
}
