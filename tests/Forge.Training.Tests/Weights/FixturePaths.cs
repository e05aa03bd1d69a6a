namespace Forge.Training.Tests.Weights;

/// <summary>
/// Where the test data lives: the repository's tests/fixtures (committed), and the shared reference fixtures
/// (../shared/fixtures beside the repository: env FORGE_SHARED if set, else &lt;repo&gt;/../shared), which a fresh clone
/// does not have; tests that need them are skipped with a message (<see cref="SharedFixtureFactAttribute"/>).
/// </summary>
public static class FixturePaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>tests/fixtures/ultralytics: .pt files written by Ultralytics 8.3.57 and their forward outputs (make_fixtures.py there).</summary>
    public static string Ultralytics => Path.Combine(RepoRoot, "tests", "fixtures", "ultralytics");

    public static string? SharedFixtures { get; } = FindShared();

    public static string? Shared(string name) =>
        SharedFixtures is { } dir && File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : null;

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no Forge.sln above {AppContext.BaseDirectory}");
    }

    static string? FindShared()
    {
        var env = Environment.GetEnvironmentVariable("FORGE_SHARED");
        var root = !string.IsNullOrEmpty(env) ? env : Path.Combine(RepoRoot, "..", "shared");
        var fixtures = Path.Combine(root, "fixtures");
        return Directory.Exists(fixtures) ? Path.GetFullPath(fixtures) : null;
    }
}

/// <summary>A fact skipped, with the reason, when a file of the shared fixtures is not on this machine.</summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute(params string[] files)
    {
        var missing = files.Where(f => FixturePaths.Shared(f) is null).ToList();
        if (missing.Count > 0)
            Skip = $"shared fixtures absent ({string.Join(", ", missing)} not in {(FixturePaths.SharedFixtures ?? "../shared/fixtures or $FORGE_SHARED/fixtures")})";
    }
}
