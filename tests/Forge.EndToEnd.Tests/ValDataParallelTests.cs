using System.Text.RegularExpressions;

namespace Forge.EndToEnd.Tests;

/// <summary>'forge val nproc=2' validates data-parallel (a shard per rank, detections gathered) and reports what one process does.</summary>
public class ValDataParallelTests : IDisposable
{
    static readonly Regex AllRow = new(@"^\s+all\s+\d+\s+\d+(\s+[0-9.]+){4}\s*$", RegexOptions.Multiline);
    readonly TinyDataset data = new(trainImages: 8, valImages: 6);

    public void Dispose() => data.Dispose();

    [Fact]
    public void TwoRanksReportTheSameMetricsAsOneProcess()
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("v", "epochs=1", "close_mosaic=0"));
        Assert.True(code == 0, output);
        string[] val = ["val", $"model={data.Weights("v", "best.safetensors")}", $"data={data.DataYaml}", "workers=1", "plots=false", $"project={Path.Combine(data.Root, "val")}"];
        var (one, single) = ForgeProcess.Run(data.Root, val);
        Assert.True(one == 0, single);
        var (two, parallel) = ForgeProcess.Run(data.Root, [.. val, "nproc=2"]);
        Assert.True(two == 0, parallel);
        Assert.Contains("Launching 2 ranks", parallel);
        Assert.Contains("Validating data-parallel on 2 ranks", parallel);
        Assert.Equal(AllRow.Match(single).Value, AllRow.Match(parallel).Value);
        Assert.True(AllRow.Match(single).Success, single);
        Assert.Single(Regex.Matches(parallel, @"^\s+all\s", RegexOptions.Multiline));   // rank 0 reports, once
    }
}
