using Forge.Testing;

namespace Forge.Export.Tests;

/// <summary>The shared reference fixtures (see <see cref="FixturePaths"/>); tests that need them skip with a message when absent.</summary>
public static class SharedFixtures
{
    public static string? Yolov8nCoco => FixturePaths.Yolov8nCoco;
    public static string? Coco128 => FixturePaths.Coco128;
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

/// <summary>A theory that is skipped, saying why, unless both the fixture weights and COCO128 are on this machine.</summary>
public sealed class Coco128TheoryAttribute : TheoryAttribute
{
    public Coco128TheoryAttribute()
    {
        if (SharedFixtures.Yolov8nCoco is null) Skip = "shared fixtures not found (set FORGE_SHARED): yolov8n-coco.safetensors is needed";
        else if (SharedFixtures.Coco128 is null) Skip = "COCO128 not found (set FORGE_COCO128 to a folder with data.yaml and images/val2017)";
    }
}
