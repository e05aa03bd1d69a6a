using Forge.Torch;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// The forge CLI as the channels_last check's child process (<see cref="ChannelsLastTrialProcess"/>): its hidden
/// <c>channels-last-trial</c> mode answers one line per shape, and a forge process registers itself, so on a CPU that
/// describes no caches (where a trial may kill the process) training still tries its model's shapes, in a child, instead of
/// running NCHW untried. On other CPUs the trials run in-process and the outputs say nothing about the check.
/// </summary>
public class ChannelsLastTrialTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 8, valImages: 2);

    public void Dispose() => data.Dispose();

    [Fact]
    public void The_trial_mode_answers_each_shape_in_order_as_the_check_would()
    {
        ChannelsLastCheck.ConvShape[] shapes = [new(16, 16, 3, 3, 1, 1, 1, 1), new(80, 80, 1, 1, 1, 0, 1, 1), new(64, 64, 1, 1, 1, 0, 1, 1)];
        var (code, output) = ForgeProcess.Run(data.Root, ["channels-last-trial", .. shapes.Select(s => s.ToArgument())], timeoutSeconds: 120);
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(shapes.Select(s => s.ToArgument()), lines.Select(l => l.Split(' ')[0]));
        Assert.All(lines, l => Assert.Matches(@"^\S+ (ok|wrong)$", l));
        Assert.EndsWith(" ok", lines[0]);
        // Where trying in this process is safe, the child's verdicts are this process's.
        if (ChannelsLastCheck.CpuDescribesCaches)
            for (int i = 0; i < shapes.Length; i++) Assert.Equal(ChannelsLastCheck.Agrees(shapes[i]) ? "ok" : "wrong", lines[i].Split(' ')[1]);
    }

    [Fact]
    public void Training_in_a_forge_process_tries_its_shapes_on_any_cpu()
    {
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("cl", "epochs=1", "close_mosaic=0", "channels_last=true"));
        Assert.True(code == 0, output);
        Assert.DoesNotContain("describes no data caches", output);
        Assert.DoesNotContain("could not be tried", output);
        Assert.DoesNotContain("This process runs NCHW", output);
    }

    /// <summary>An 80-class YOLOv8n has the 80 -> 80 class convolution that the AMD EPYC of <see cref="ChannelsLastCheck"/>
    /// computes wrongly channels_last: there it runs NCHW inside the channels_last model, with one note naming it, and the run
    /// validates; elsewhere no note.</summary>
    [Fact]
    public void An_80_class_model_runs_only_its_wrong_shapes_nchw()
    {
        string yaml = Path.Combine(data.Root, "eighty.yaml");
        var lines = File.ReadAllLines(data.DataYaml).TakeWhile(l => !l.StartsWith("nc:", StringComparison.Ordinal) && !l.StartsWith("names:", StringComparison.Ordinal));
        File.WriteAllLines(yaml, lines.Append("names:").Concat(Enumerable.Range(0, 80).Select(i => $"  {i}: class{i}")));
        var (code, output) = ForgeProcess.Run(data.Root, data.TrainArgs("eighty", $"data={yaml}", "epochs=1", "close_mosaic=0", "channels_last=true"));
        Assert.True(code == 0, output);
        Assert.DoesNotContain("This process runs NCHW", output);
        Assert.Contains("mAP50-95", output);
        var notes = output.Split('\n').Where(l => l.StartsWith("channels_last on", StringComparison.Ordinal)).ToList();
        Assert.True(notes.Count <= 1, output);
        if (notes.Count == 1)
        {
            Assert.Contains("run NCHW, the others channels_last", notes[0]);
            Assert.Contains("tried against an NCHW reference", notes[0]);
        }
    }
}
