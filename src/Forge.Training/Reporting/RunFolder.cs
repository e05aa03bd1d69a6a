namespace Forge.Training.Reporting;

/// <summary>A run's output folder (project/name, numbered name2, name3... if taken) and the well-known paths inside it.</summary>
public sealed class RunFolder
{
    public string Path { get; }
    public string WeightsDir => System.IO.Path.Combine(Path, "weights");
    public string LastCheckpoint => System.IO.Path.Combine(WeightsDir, "last.safetensors");
    public string BestCheckpoint => System.IO.Path.Combine(WeightsDir, "best.safetensors");
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

    public string File(string name) => System.IO.Path.Combine(Path, name);
}
