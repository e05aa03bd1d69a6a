using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Forge.Cli.Tests;

/// <summary>
/// scripts/ensure-deps.sh, which the <c>forge</c> wrapper runs before every command: its detection must give the same
/// verdict every time. Under <c>set -o pipefail</c> a reader that exits early on a pipe (<c>ldconfig -p | grep -q</c>)
/// makes the writer die of SIGPIPE (status 141) now and then, so an installed Open MPI was reported missing about one
/// run in ten and apt ran again.
/// </summary>
public sealed partial class EnsureDepsScriptTests(ITestOutputHelper output)
{
    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Forge.sln")) && File.Exists(Path.Combine(dir.FullName, "scripts", "ensure-deps.sh")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no repository root above {AppContext.BaseDirectory}");
    }

    static (int ExitCode, string Stdout, string Stderr) Bash(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{script} {string.Join(' ', args)} did not finish in 60 s"); }
        return (p.ExitCode, stdout, stderr.Result);
    }

    /// <summary>What the script should find, checked here without a shell: mpirun on PATH and libmpi in the loader cache.</summary>
    static bool MpiPresent()
    {
        bool mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, "mpirun")));
        var psi = new ProcessStartInfo("ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string cache = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return mpirun && cache.Contains("libmpi.so", StringComparison.Ordinal);
    }

    [Fact]
    public void DetectionGivesTheSameVerdictFiftyTimesInARow()
    {
        string script = Path.Combine(RepoRoot(), "scripts", "ensure-deps.sh");
        var first = Bash(script, "--check", "--mpi");
        output.WriteLine($"verdict: exit {first.ExitCode} {first.Stdout.Trim()}");
        Assert.True(first.ExitCode is 0 or 1, $"--check exits 0 or 1, got {first.ExitCode}\n{first.Stderr}");
        // This test process runs libtorch, so libstdc++ is there; Open MPI as the loader cache says.
        bool mpi = MpiPresent();
        Assert.Equal(mpi ? "" : "missing: mpi", first.Stdout.Trim());
        for (int i = 1; i < 50; i++)
        {
            var run = Bash(script, "--check", "--mpi");
            Assert.True(run.ExitCode == first.ExitCode && run.Stdout == first.Stdout,
                $"run {i + 1} of 50: exit {run.ExitCode} '{run.Stdout.Trim()}' after exit {first.ExitCode} '{first.Stdout.Trim()}'\n{run.Stderr}");
        }
    }

    // '| grep -q', '| grep -m1', '| grep --quiet', '| head', '| sed ...q': each may stop reading before the writer is done.
    [GeneratedRegex(@"\|\s*(grep\b[^|]*\s(-[a-zA-Z]*[qm]|--quiet|--silent|--max-count)|head\b|sed\b[^|]*\dq\b|awk\b[^|]*\bexit\b)")]
    private static partial Regex EarlyExitingReader();

    [Fact]
    public void NoScriptPipesIntoAnEarlyExitingReader()
    {
        string root = RepoRoot();
        var files = Directory.GetFiles(Path.Combine(root, "scripts"), "*.sh").Append(Path.Combine(root, "forge")).Append(Path.Combine(root, ".ci", "run"));
        var offenders = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (!lines[i].TrimStart().StartsWith('#') && EarlyExitingReader().IsMatch(lines[i]))
                    offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(offenders.Count == 0, "a reader that may exit early sits on a pipe (SIGPIPE under pipefail):\n" + string.Join('\n', offenders));
    }
}
