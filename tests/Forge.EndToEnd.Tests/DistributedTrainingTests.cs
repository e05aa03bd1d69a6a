using System.Diagnostics;
using System.Runtime.InteropServices;
using Forge.Core.Serialization;

namespace Forge.EndToEnd.Tests;

/// <summary>Data-parallel training under real Open MPI ranks: equivalence, unused layers, faults, resuming on another rank count.</summary>
public class DistributedTrainingTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 32, valImages: 4);

    public void Dispose() => data.Dispose();

    static Dictionary<string, string> Env(params (string, string)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void TwoRanksOfFourEqualOneRankOfEightAfterThreeOptimizerSteps()
    {
        // Same global batch of 8 per step; SGD so the comparison is not amplified by Adam's normalisation of tiny gradients;
        // sync_bn so BatchNorm statistics are those of the whole batch.
        string[] common = ["batch=8", "nbs=8", "optimizer=SGD", "lr0=0.01", "sync_bn=true", "val=false", "epochs=2"];
        var stop = Env(("FORGE_STOP_AT_STEP", "3"));
        var (c1, o1) = ForgeProcess.Run(data.Root, data.TrainArgs("one", [.. common, "nproc=1"]), stop);
        Assert.True(c1 == 0, o1);
        var (c2, o2) = ForgeProcess.Run(data.Root, data.TrainArgs("two", [.. common, "nproc=2"]), stop);
        Assert.True(c2 == 0, o2);
        Assert.Contains("global batch 8 = 2 x 4", o2);

        var a = Tensors(data.Weights("one"), "train.");
        var b = Tensors(data.Weights("two"), "train.");
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double worst = 0; string worstName = "";
        foreach (var (name, va) in a)
        {
            var vb = b[name];
            for (int i = 0; i < va.Length; i++)
            {
                double d = Math.Abs(va[i] - vb[i]);
                if (d > worst) { worst = d; worstName = name; }
            }
        }
        Assert.True(worst <= 1e-5, $"max abs difference {worst:E2} in {worstName}");
        Assert.Equal("3", State(data.Weights("two"), "OptimizerSteps"));
        // Only global rank 0 wrote, and nothing else is in the weights folder (no per-rank copies, no temporary files).
        Assert.Equal("0", State(data.Weights("two"), "SavedByRank"));
        Assert.Equal(["last.safetensors"],   // the one save: the stop after step 3
            Directory.GetFiles(Path.GetDirectoryName(data.Weights("two"))!).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    [Fact]
    public void ModelWithAnUnusedLayerTrainsUnderTwoRanksAndTheWarningNamesTheLayerOnce()
    {
        var (code, output) = MpiJob.Run(2, "Forge.EndToEnd.Harness.dll",
            ["aux", .. data.TrainArgs("aux").Skip(1), "val=false"], data.Root, Env(("FORGE_STOP_AT_STEP", "3")));
        Assert.True(code == 0, output);
        Assert.Contains("harness: done, interrupted=True", output);
        var warnings = output.Split('\n').Where(l => l.Contains("WARNING") && l.Contains("aux_head")).ToList();
        Assert.True(warnings.Count == 1, $"expected one warning naming aux_head, got {warnings.Count}:\n{output}");
        Assert.Contains("aux_head.weight", warnings[0]);
        Assert.Contains("aux_head.bias", warnings[0]);
    }

    [Fact]
    public void AYamlLayerOutsideTheForwardPathTrainsUnderTwoRanksWithTheWarning()
    {
        // The user's yaml: YOLOv8 plus a Conv (layer 22) reading SPPF's output that Detect never sees. Its parameters get
        // no gradient on any rank; the job must not hang and must name them once.
        var text = Forge.Models.Graph.BuiltinModels.Text("yolov8");
        int detect = text.IndexOf("  - [[15, 18, 21], 1, Detect, [nc]]", StringComparison.Ordinal);
        var yaml = Path.Combine(data.Root, "yolov8n-aux.yaml");
        File.WriteAllText(yaml, text[..detect] + "  - [9, 1, Conv, [64, 3, 1]]    # 22: outside the forward path\n  - [[15, 18, 21], 1, Detect, [nc]]\n");
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("yaml-aux", $"model={yaml}", "nproc=2", "val=false"),
                                              Env(("FORGE_STOP_AT_STEP", "3")));
        Assert.True(code == 0, output);
        Assert.Contains("no pretrained weights", output);
        var warnings = output.Split('\n').Where(l => l.Contains("WARNING") && l.Contains("model.22.")).ToList();
        Assert.True(warnings.Count == 1, $"expected one warning naming layer 22, got {warnings.Count}:\n{output}");
        Assert.Contains("model.22.conv.weight", warnings[0]);
        Assert.Contains("model.22.bn.weight", warnings[0]);
        Assert.DoesNotContain("model.23.", warnings[0]);
        Assert.True(File.Exists(data.Weights("yaml-aux")));
    }

    [Fact]
    public void KillingOneRankEndsTheJobWithinThirtySecondsNamingTheRank()
    {
        using var job = ForgeProcess.Start(data.Root, data.TrainArgs("fault", "nproc=2", "epochs=200"));
        var deadline = Stopwatch.StartNew();
        int victim = 0;
        while (victim == 0 && deadline.Elapsed < TimeSpan.FromSeconds(120) && !job.HasExited)
        {
            Thread.Sleep(250);
            if (job.Output.Contains("Epoch", StringComparison.Ordinal)) victim = FindRank(1);
        }
        Assert.True(victim != 0, $"rank 1 never started training:\n{job.Output}");
        Thread.Sleep(1000);   // mid-epoch
        var killed = Stopwatch.StartNew();
        kill(victim, 9);
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(30)), $"the job still runs 30 s after rank 1 died:\n{job.Output}");
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, job.ExitCode);
        Assert.Matches(@"rank 1|\[\[\d+,1\],1\]|process rank 1", job.Output);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    public void ResumingOnAnotherRankCountSeesEverySampleOfTheEpochOnce(int before, int after)
    {
        string name = $"ws{before}{after}";
        string trace = Path.Combine(data.Root, name + ".trace");
        var (c1, o1) = ForgeProcess.Run(data.Root, data.TrainArgs(name, $"nproc={before}", "batch=8", "nbs=16", "epochs=2", "val=false"),
            Env(("FORGE_STOP_AT_STEP", "3"), ("FORGE_SAMPLE_TRACE", trace)));
        Assert.True(c1 == 0, o1);
        Assert.Contains("step 3/4", o1);
        var (c2, o2) = ForgeProcess.Run(data.Root, ["train", $"resume={data.RunDir(name)}", $"nproc={after}"], Env(("FORGE_SAMPLE_TRACE", trace)));
        Assert.True(c2 == 0, o2);
        Assert.Contains($"saved by {before} ranks, continuing on {after}", o2);

        var seen = Directory.GetFiles(data.Root, name + ".trace.rank*").SelectMany(File.ReadAllLines)
            .Select(l => l.Split(' ')).Select(p => (Epoch: int.Parse(p[0]), Index: int.Parse(p[1]))).ToList();
        foreach (int epoch in new[] { 0, 1 })
        {
            var indices = seen.Where(s => s.Epoch == epoch).Select(s => s.Index).Order().ToList();
            Assert.Equal(Enumerable.Range(0, 32).ToList(), indices);
        }
    }

    static Dictionary<string, float[]> Tensors(string path, string prefix)
    {
        var (records, _) = SafeTensorsFile.Deserialize(File.ReadAllBytes(path), path);
        return records.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal) && r.DType == "F32")
                      .ToDictionary(r => r.Name, r => MemoryMarshal.Cast<byte, float>(r.Data).ToArray());
    }

    static string State(string path, string key)
    {
        var meta = CheckpointComparison.Metadata(path);
        using var doc = System.Text.Json.JsonDocument.Parse(meta["train_state"]);
        return doc.RootElement.GetProperty(key).ToString();
    }

    /// <summary>PID of the forge process that Open MPI started as the given rank.</summary>
    static int FindRank(int rank)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (env.Contains($"OMPI_COMM_WORLD_RANK={rank}") && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("forge.dll")) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return 0;
    }

    [DllImport("libc")] static extern int kill(int pid, int sig);
}
