using System.Text.RegularExpressions;

namespace Forge.Cli.Tests;

[Collection(TrainedModelCollection.Name)]
public sealed class ValCommandTests(TrainedModelFixture trained)
{
    static readonly Regex AllRow = new(@"^\s+all\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s*$", RegexOptions.Multiline);

    [Fact]
    public void Train_through_the_command_line_names_the_weights_it_saved()
    {
        Assert.Contains($"Best weights: {trained.BestWeights}", trained.Train.Stdout);
        Assert.Contains("Last weights: ", trained.Train.Stdout);
        Assert.Equal("", trained.Train.Stderr);
    }

    [Fact]
    public void Val_prints_the_metrics_table_with_an_all_row()
    {
        string project = trained.NewFolder("val");
        var run = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", $"project={project}", "workers=1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Class\s+Images\s+Instances\s+Box\(P\s+R\s+mAP50\s+mAP50-95\)", run.Stdout);
        var all = AllRow.Match(run.Stdout);
        Assert.True(all.Success, run.ToString());
        Assert.Equal("4", all.Groups[1].Value);                      // the 4 validation images
        Assert.True(int.Parse(all.Groups[2].Value) >= 4);
        for (int g = 3; g <= 6; g++) Assert.InRange(double.Parse(all.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        Assert.Contains("val: 4 images (0 backgrounds)", run.Stdout);
        Assert.Contains($"Results saved to {Path.Combine(project, "val")}", run.Stdout);
        Assert.True(File.Exists(Path.Combine(project, "val", "confusion_matrix.png")));
    }

    [Fact]
    public void Val_without_data_uses_the_dataset_the_weights_were_trained_on()
    {
        string project = trained.NewFolder("val-default");
        var withData = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", $"project={project}", "plots=false");
        var withoutData = ForgeRun.Of("val", $"model={trained.BestWeights}", $"project={project}", "plots=false");
        Assert.True(withoutData.ExitCode == 0, withoutData.ToString());
        // Same images, same image size (64, from the checkpoint too), same numbers.
        Assert.Equal(AllRow.Match(withData.Stdout).Value, AllRow.Match(withoutData.Stdout).Value);
        Assert.Contains("val: 4 images", withoutData.Stdout);
    }

    [Fact]
    public void Val_of_weights_that_do_not_exist_fails_naming_the_file()
    {
        string missing = Path.Combine(trained.NewFolder("missing"), "nope.safetensors");
        var run = ForgeRun.Of("val", $"model={missing}", $"data={trained.DataYaml}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
        Assert.StartsWith("forge: error: ", run.Stderr);
    }

    [Fact]
    public void Val_needs_weights_rather_than_a_model_name()
    {
        var run = ForgeRun.Of("val", "model=yolov8n", $"data={trained.DataYaml}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("val needs trained weights", run.Stderr);
    }

    [Fact]
    public void Val_of_a_split_the_dataset_does_not_have_is_a_usage_error()
    {
        var run = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", "split=test", $"project={trained.NewFolder("p")}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no 'test' split", run.Stderr);
    }

    [Fact]
    public void Val_on_a_dataset_with_other_classes_says_both_counts()
    {
        var broken = Forge.Training.Tests.Integration.TinyDatasets.Broken(trained.NewFolder("two-classes"));
        var run = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={broken.Yaml}", $"project={trained.NewFolder("p")}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("detects 6 classes", run.Stderr);
        Assert.Contains($"data={broken.Yaml} has 2", run.Stderr);
    }
}
