using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Forge.Cli.Tests;

/// <summary>The README's "What is inside" table names each project's direct dependencies; the project files must agree.</summary>
public sealed partial class ProjectGraphTests
{
    [GeneratedRegex(@"^\| `(?<path>(src|bench)/[^`]+)` \| (?<deps>[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Forge.sln")) && File.Exists(Path.Combine(dir.FullName, "README.md"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no repository root above {AppContext.BaseDirectory}");
    }

    /// <summary>"Forge.Training" → "Training"; bench/Forge.Bench → "Bench".</summary>
    static string Short(string projectName) => projectName.StartsWith("Forge.", StringComparison.Ordinal) ? projectName["Forge.".Length..] : projectName;

    [Fact]
    public void ReadmeTableListsEverySourceProjectWithItsDirectReferences()
    {
        string root = RepoRoot();
        var rows = TableRow().Matches(File.ReadAllText(Path.Combine(root, "README.md")))
            .ToDictionary(m => m.Groups["path"].Value.TrimEnd('/'), m => m.Groups["deps"].Value.Trim());
        var projects = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Append(Path.Combine(root, "bench", "Forge.Bench", "Forge.Bench.csproj"));
        foreach (var csproj in projects)
        {
            string folder = Path.GetRelativePath(root, Path.GetDirectoryName(csproj)!).Replace('\\', '/');
            Assert.True(rows.ContainsKey(folder), $"README's 'What is inside' has no row for {folder}");
            var actual = XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(r => Short(Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))))
                .Order(StringComparer.Ordinal).ToArray();
            var documented = rows[folder] is "—" or "" ? [] : rows[folder].Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
            Assert.True(actual.SequenceEqual(documented),
                $"{folder}: README says it depends on [{string.Join(", ", documented)}], its project file references [{string.Join(", ", actual)}]");
        }
    }
}
