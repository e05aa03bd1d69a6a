using System.Text.RegularExpressions;

namespace Forge.Training.Reporting;

/// <summary>
/// A run's output folder (project/name, numbered name2, name3... if taken) and every well-known path inside it: the one type
/// that knows the layout (args.yaml, results.csv, plots, weights/last|last.prev|best|epochN.safetensors).
/// </summary>
public sealed partial class RunFolder
{
    const string WeightsFolder = "weights";

    public string Path { get; }
    public string WeightsDir => System.IO.Path.Combine(Path, WeightsFolder);
    /// <summary>The newest save.</summary>
    public string LastCheckpoint => System.IO.Path.Combine(WeightsDir, "last.safetensors");
    /// <summary>The save before the newest (kept while the newest is written).</summary>
    public string PreviousCheckpoint => System.IO.Path.Combine(WeightsDir, "last.prev.safetensors");
    public string BestCheckpoint => System.IO.Path.Combine(WeightsDir, "best.safetensors");
    /// <summary>The save_period snapshot after epoch <paramref name="epoch"/> (1-based).</summary>
    public string EpochCheckpoint(int epoch) => System.IO.Path.Combine(WeightsDir, $"epoch{epoch}.safetensors");
    public string ArgsYaml => System.IO.Path.Combine(Path, "args.yaml");
    public string ResultsCsv => System.IO.Path.Combine(Path, "results.csv");

    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>Picks project/name, or the first free project/nameN (N = 2, 3, ...) unless <paramref name="existOk"/>.</summary>
    public static RunFolder Create(string project, string name, bool existOk, bool create = true)
    {
        string basePath = System.IO.Path.Combine(project, name);
        string path = basePath;
        if (!existOk)
            for (int n = 2; Directory.Exists(path); n++) path = basePath + n;
        var folder = new RunFolder(path);
        if (create) Directory.CreateDirectory(folder.Path);
        return folder;
    }

    /// <summary>The run a path names: the run folder itself, its weights folder, or a checkpoint file in either.</summary>
    public static RunFolder Of(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.File.Exists(full)) full = System.IO.Path.GetDirectoryName(full)!;
        return new RunFolder(System.IO.Path.GetFileName(full) == WeightsFolder ? System.IO.Path.GetDirectoryName(full)! : full);
    }

    /// <summary>True when the run has a checkpoint to resume from (last, or its predecessor).</summary>
    public bool HasLastCheckpoint => System.IO.File.Exists(LastCheckpoint) || System.IO.File.Exists(PreviousCheckpoint);

    /// <summary>The save_period snapshots on disk, newest first.</summary>
    public List<(int Epoch, string Path)> EpochCheckpoints()
    {
        if (!Directory.Exists(WeightsDir)) return new();
        return Directory.EnumerateFiles(WeightsDir, "epoch*.safetensors")
            .Select(p => (Match: EpochName().Match(System.IO.Path.GetFileName(p)), Path: p))
            .Where(x => x.Match.Success)
            .Select(x => (int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), x.Path))
            .OrderByDescending(x => x.Item1).ToList();
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    [GeneratedRegex(@"^epoch(\d+)\.safetensors$")]
    private static partial Regex EpochName();
}
