using Forge.Synthetic;

namespace Forge.EndToEnd.Tests;

/// <summary>A throw-away work folder with a tiny generated dataset (64-px shapes) for fast process-level runs.</summary>
public sealed class TinyDataset : IDisposable
{
    public string Root { get; }
    public string DataYaml { get; }

    public TinyDataset(int trainImages = 16, int valImages = 4)
    {
        Root = Path.Combine(Path.GetTempPath(), "forge-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
        var folder = Path.Combine(Root, "data");
        ShapesDataset.Generate(folder, new ShapesDatasetOptions { TrainImages = trainImages, ValImages = valImages, ImageSize = 64, Seed = 7 });
        DataYaml = Path.Combine(folder, "data.yaml");
    }

    /// <summary>Settings of a small, fast, deterministic run; extra pairs override.</summary>
    public List<string> TrainArgs(string name, params string[] extra)
    {
        var args = new List<string>
        {
            "train", $"data={DataYaml}", "model=yolov8n", "imgsz=64", "batch=4", "nbs=4", "epochs=3", "workers=1", "threads=1",
            "plots=false", "seed=3", $"project={Path.Combine(Root, "runs")}", $"name={name}", "exist_ok=true", "close_mosaic=1",
        };
        foreach (var e in extra)
        {
            var key = e[..(e.IndexOf('=') + 1)];
            args.RemoveAll(a => a.StartsWith(key, StringComparison.Ordinal));
            args.Add(e);
        }
        return args;
    }

    public string RunDir(string name) => Path.Combine(Root, "runs", name);
    public string Weights(string name, string file = "last.safetensors") => Path.Combine(RunDir(name), "weights", file);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
