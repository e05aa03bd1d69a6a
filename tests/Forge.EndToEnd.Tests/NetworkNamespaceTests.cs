using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Forge.Synthetic;
using Xunit.Abstractions;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// Two machines on this box: two network namespaces joined by a veth pair (scripts/netns-nodes.sh), Open MPI's TCP traffic
/// restricted to that link and its remote agent entering the other namespace instead of ssh, each node with its own host
/// name and its own files on the same path (no shared disk). Needs root; skipped with a message where namespaces are not allowed.
/// </summary>
public class NetworkNamespaceTests(ITestOutputHelper log) : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "forge-nodes-" + Guid.NewGuid().ToString("N")[..8]);
    readonly string name = "fn" + Guid.NewGuid().ToString("N")[..6];

    static string Script => Path.Combine(RepoRoot, "scripts", "netns-nodes.sh");

    static string RepoRoot
    {
        get
        {
            string? d = AppContext.BaseDirectory;
            while (d is not null && !File.Exists(Path.Combine(d, "Forge.sln"))) d = Path.GetDirectoryName(d.TrimEnd('/'));
            return d ?? throw new InvalidOperationException($"no Forge.sln above {AppContext.BaseDirectory}");
        }
    }

    [NetworkNamespaceFact]
    public void TwoNodesWithoutASharedDiskTrainLikeTwoRanksOnOneNode()
    {
        var clock = Stopwatch.StartNew();
        var (upCode, upOutput) = Run("bash", [Script, "up", name, dir], 60);
        Assert.True(upCode == 0, upOutput);
        foreach (var node in new[] { "node0", "node1" }) Generate(node, seed: 7);
        string[] settings = ["model=yolov8n", "imgsz=64", "batch=4", "nbs=4", "epochs=2", "workers=1", "threads=1", "plots=false", "seed=3", "close_mosaic=1"];

        // data= and project= are the same paths on both nodes, each backed by that node's own folder.
        string work = Path.Combine(dir, "work");
        var (code, output) = Run("bash", [Script, "run", name, dir, "dotnet", ForgeProcess.CliPath, "train", $"data={work}/data/data.yaml",
            $"project={work}/runs", "name=two-nodes", "nproc=1", "nnodes=2", $"hostfile={dir}/hosts.txt", .. settings], 900);
        log.WriteLine($"two nodes x 1 rank: {clock.Elapsed.TotalSeconds:F1} s (set-up included)");
        Assert.True(code == 0, output);
        Assert.Contains("epochs completed", output);
        Assert.Matches(@"Validated on 2 ranks: rank 0 on node0: \d+ images, rank 1 on node1: \d+ images", output);
        string weights = Path.Combine(dir, "node0", "runs", "two-nodes", "weights", "last.safetensors");
        Assert.True(File.Exists(weights), output);
        var onNode1 = Directory.GetFiles(Path.Combine(dir, "node1"), "*", SearchOption.AllDirectories).Where(f => !f.Contains("/data/")).ToList();
        Assert.True(onNode1.Count == 0, "node 1 wrote: " + string.Join(", ", onNode1));

        // The same settings as 2 ranks on one machine (node 0 alone): the same weights, bit for bit.
        var (c2, o2) = Run("bash", [Script, "run", name, dir, "dotnet", ForgeProcess.CliPath, "train", $"data={work}/data/data.yaml",
            $"project={work}/runs", "name=two-ranks", "nproc=2", .. settings], 900);
        Assert.True(c2 == 0, o2);
        var diff = CheckpointComparison.DifferingTensors(Path.Combine(dir, "node0", "runs", "two-ranks", "weights", "last.safetensors"), weights, "model.", "train.", "optim.");
        Assert.True(diff.Count == 0, $"{diff.Count} tensors differ between 2 nodes x 1 rank and 1 node x 2 ranks: {string.Join(", ", diff.Take(5))}");

        // Node 1 with other data at the same path: the job stops at start, naming the node, and is not restarted (usage error).
        Directory.Delete(Path.Combine(dir, "node1", "data"), recursive: true);
        Generate("node1", seed: 8);
        var (c3, o3) = Run("bash", [Script, "run", name, dir, "dotnet", ForgeProcess.CliPath, "train", $"data={work}/data/data.yaml",
            $"project={work}/runs", "name=mismatch", "nproc=1", "nnodes=2", $"hostfile={dir}/hosts.txt", "max_restarts=2", .. settings], 600);
        Assert.True(c3 == 2, $"exit {c3}:\n{o3}");
        Assert.Matches(@"rank 1 on node1 sees the dataset \(data=\S+\) as 16 train images \(sha256 \w+\).*, rank 0 on node0 as", o3);
        Assert.DoesNotContain("forge: restart", o3);
        Directory.Delete(Path.Combine(dir, "node1", "data"), recursive: true);
        Generate("node1", seed: 7);

        // Node 1 dies mid-run under max_restarts=1 min_nproc=1: the job continues on node 0 alone from the last checkpoint and
        // completes the same run (every sample of the interrupted epoch once; the sums over one rank instead of two round
        // differently, so the weights are not compared bit for bit here: DistributedTrainingTests bounds that difference).
        NodeDiesAndTheJobFinishesOnTheOther(work, settings, weights);
        log.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F1} s");
    }

    void NodeDiesAndTheJobFinishesOnTheOther(string work, string[] settings, string reference)
    {
        var clock = Stopwatch.StartNew();
        var job = Task.Run(() => Run("bash", [Script, "run", name, dir, "dotnet", ForgeProcess.CliPath, "train", $"data={work}/data/data.yaml",
            $"project={work}/runs", "name=shrink", "nproc=1", "nnodes=2", $"hostfile={dir}/hosts.txt", "max_restarts=1", "min_nproc=1",
            "save_period_steps=1", .. settings], 900));
        string last = Path.Combine(dir, "node0", "runs", "shrink", "weights", "last.safetensors");
        while (!File.Exists(last) && !job.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(600)) Thread.Sleep(50);
        Assert.False(job.IsCompleted, job.IsCompleted ? job.Result.Output : "");
        var (killCode, killOutput) = Run("bash", [Script, "kill-node", name, "1"], 60);
        Assert.True(killCode == 0, killOutput);
        var (code, output) = job.Result;
        log.WriteLine($"node 1 killed, job continued on node 0: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(code == 0, output);
        Assert.True(Regex.IsMatch(output, @"forge: machine\(s\) 10\.250\.0\.2 unreachable; continuing on 10\.250\.0\.1 \(1 ranks, min_nproc=1\)"), output);
        Assert.True(Regex.IsMatch(output, @"forge: restart 1/1 after .*: resuming \S+ on 1 ranks from epoch \d, step \d"), output);
        Assert.Contains("saved by 2 ranks, continuing on 1", output);
        Assert.Contains("epochs completed", output);
        Assert.Equal(CheckpointComparison.Metadata(reference)["epoch"], CheckpointComparison.Metadata(last)["epoch"]);
        Assert.Equal(OptimizerSteps(reference), OptimizerSteps(last));
    }

    static string OptimizerSteps(string checkpoint)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(CheckpointComparison.Metadata(checkpoint)["train_state"]);
        return doc.RootElement.GetProperty("OptimizerSteps").ToString();
    }

    /// <summary>A node's dataset in its own folder; data.yaml names the path the node sees it at (DIR/work/data).</summary>
    void Generate(string node, int seed) =>
        ShapesDataset.Generate(Path.Combine(dir, node, "data"), new ShapesDatasetOptions { TrainImages = 16, ValImages = 4, ImageSize = 64, Seed = seed },
                               yamlPath: Path.Combine(dir, "work", "data"));

    static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, int timeoutSeconds)
    {
        var psi = CapturedProcess.ForgeStartInfo(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return CapturedProcess.Run(psi, timeoutSeconds, out string partial) ?? (-1, $"timed out after {timeoutSeconds} s:\n{partial}");
    }

    public void Dispose()
    {
        // Whatever happened: what still runs inside the namespaces is killed and both are removed, then the folders.
        Run("bash", [Script, "down", name], 60);
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A fact that runs only where this process may create network namespaces (root, iproute2, unshare); skipped with the reason otherwise.</summary>
public sealed class NetworkNamespaceFactAttribute : FactAttribute
{
    public NetworkNamespaceFactAttribute()
    {
        if (Why() is { } reason) Skip = reason;
    }

    static string? Why()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces are Linux only";
        if (geteuid() != 0) return "needs root to create network namespaces (ip netns); run the tests as root to include it";
        if (!new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists)) return "needs iproute2 ('ip'): apt-get install -y iproute2";
        try
        {
            using var p = Process.Start(new ProcessStartInfo("unshare", ["--net", "--mount", "--uts", "true"]) { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit(10_000);
            return p.HasExited && p.ExitCode == 0 ? null : $"network namespaces are not permitted here (unshare --net: {p.StandardError.ReadToEnd().Trim()})";
        }
        catch (System.ComponentModel.Win32Exception e) { return $"needs util-linux's unshare: {e.Message}"; }
    }

    [DllImport("libc")] static extern uint geteuid();
}
