using Forge.Models;
using Forge.Models.Layers;
using Forge.Testing;

namespace Forge.Export.Tests;

static class TestModels
{
    /// <summary>
    /// A detector with seeded random weights whose BatchNorms have non-trivial statistics and affine parameters, so Conv+BN
    /// fusion is really exercised (a fresh BatchNorm is an identity up to eps).
    /// </summary>
    public static ModelScale Yolo11N => ModelScale.Of(Forge.Models.Graph.BuiltinModels.Yolo11, "n");

    public static YoloDetector Random(ModelScale scale, int numClasses, int seed)
    {
        // Weights from private generators: tests run in parallel and in random order, so the global one is not ours.
        var model = BatchNormStatistics.Randomize(SeededWeights.Reset(new YoloDetector(scale, numClasses), (ulong)seed), (ulong)seed);
        model.eval();
        return model;
    }

    /// <summary>
    /// A fresh path for an exported file in this test run's own folder, deleted when the test process exits
    /// (exports are 1-12 MB each; left behind, a few hundred of them per run filled CI's shared disk).
    /// </summary>
    public static string TempPath(string name) =>
        Path.Combine(RunFolder.Value, $"{Guid.NewGuid():N}"[..8] + "-" + name);

    const string FolderPrefix = "forge-export-tests-";

    // Named after this process: the test host is often ended without ProcessExit handlers running (about 300 MB per run
    // stayed behind in /tmp), so each run also removes the folders of runs whose process is gone.
    static readonly Lazy<string> RunFolder = new(() =>
    {
        RemoveFoldersOfEndedRuns();
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    });

    static void RemoveFoldersOfEndedRuns()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var rest = Path.GetFileName(folder)[FolderPrefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest[..dash], out int pid) && !IsRunning(pid)) TryDelete(folder);
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }   // no such process
        catch (InvalidOperationException) { return false; }
    }

    static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static ExportDescription Description(int numClasses) =>
        new(Enumerable.Range(0, numClasses).Select(i => $"class{i}").ToArray(), "yolov8n", "test.yaml", "0.0.0-test");
}
