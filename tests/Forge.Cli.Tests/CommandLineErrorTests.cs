using Forge.Core.Config;
using Forge.Training.Tests.Integration;

namespace Forge.Cli.Tests;

public sealed class CommandLineErrorTests
{
    [Fact]
    public void A_misspelt_setting_suggests_the_right_one()
    {
        var run = ForgeRun.Of("train", "epoch=3");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown setting 'epoch'", run.Stderr);
        Assert.Contains("did you mean 'epochs'?", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void An_Ultralytics_setting_Forge_does_not_support_says_so_with_what_to_do_instead()
    {
        var run = ForgeRun.Of("predict", "model=x.safetensors", "source=a.jpg", "show=true");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("forge: error: Ultralytics setting 'show' is not supported by Forge (command line): ", run.Stderr);
        Assert.Contains("annotated images are saved", run.Stderr);
        Assert.DoesNotContain("unknown setting", run.Stderr);
    }

    [Fact]
    public void An_image_size_that_is_not_a_multiple_of_32_names_imgsz()
    {
        using var temp = new TempDirectory("forge-cli-");
        var run = ForgeRun.Of("train", "imgsz=100", $"project={temp.Path}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("forge: error: imgsz=100: must be a multiple of 32", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));   // rejected before any run folder was made
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_setting()
    {
        var run = ForgeRun.Of("train", "epochs=many");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'epochs'", run.Stderr);
        Assert.Contains("must be an integer, got 'many'", run.Stderr);
        // batch= is a number (16, -1 or 0.7 for auto batch): the message says so.
        var batch = ForgeRun.Of("train", "batch=many");
        Assert.Contains("'batch' (command line) must be a number, got 'many'", batch.Stderr);
    }

    [Fact]
    public void An_argument_without_a_value_is_rejected()
    {
        var run = ForgeRun.Of("train", "epochs");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'epochs' is not of the form key=value", run.Stderr);
    }

    [Fact]
    public void An_unknown_mode_lists_the_modes()
    {
        var run = ForgeRun.Of("tran", "epochs=3");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown mode 'tran'", run.Stderr);
        foreach (var mode in new[] { "train", "val", "predict", "settings", "help" }) Assert.Contains(mode, run.Stderr);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData()]
    public void Help_lists_every_setting_with_its_default(params string[] args)
    {
        var run = ForgeRun.Of(args);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage: forge MODE key=value", run.Stdout);
        var lines = run.Stdout.Split('\n');
        foreach (var key in ConfigSchema.Keys)
        {
            string prefix = $"  {key.Name} ";
            var line = lines.SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            Assert.True(line is not null, $"no help line for '{key.Name}'");
            Assert.Contains(ForgeConfig.FormatValue(key.Default), line);
        }
    }

    [Fact]
    public void Settings_prints_yaml_that_reads_back_as_the_defaults()
    {
        var run = ForgeRun.Of("settings");
        Assert.Equal(0, run.ExitCode);
        using var temp = new TempDirectory("forge-cli-");
        string yaml = Path.Combine(temp.Path, "settings.yaml");
        File.WriteAllText(yaml, run.Stdout);
        var read = new ForgeConfig();
        read.ApplyYaml(yaml);
        Assert.Empty(read.Differences(new ForgeConfig()));
        foreach (var key in ConfigSchema.Keys) Assert.True(read.IsSet(key.Name), $"settings did not print '{key.Name}'");
    }

    [Fact]
    public void A_cfg_yaml_is_applied_before_the_command_line_pairs()
    {
        using var temp = new TempDirectory("forge-cli-");
        string yaml = Path.Combine(temp.Path, "my.yaml");
        File.WriteAllText(yaml, "imgsz: 100\nepochs: 3\n");
        // The yaml's bad imgsz is what validation reports...
        var bad = ForgeRun.Of("train", $"cfg={yaml}", $"project={temp.Path}");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("imgsz=100: must be a multiple of 32 and >= 32", bad.Stderr);
        // ...unless the command line overrides it: then the next check (workers, made bad on purpose) is what fails.
        var overridden = ForgeRun.Of("train", $"cfg={yaml}", "imgsz=64", "workers=-1", $"project={temp.Path}");
        Assert.Equal(2, overridden.ExitCode);
        Assert.Contains("workers=-1: must be >= 0", overridden.Stderr);
        // A misspelt key inside the yaml names the file and suggests the right key.
        File.WriteAllText(yaml, "epohcs: 3\n");
        var typo = ForgeRun.Of("train", $"cfg={yaml}", $"project={temp.Path}");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("unknown setting 'epohcs'", typo.Stderr);
        Assert.Contains(yaml, typo.Stderr);
        Assert.Contains("did you mean 'epochs'?", typo.Stderr);
    }

    [Fact]
    public void Version_prints_the_version()
    {
        var run = ForgeRun.Of("version");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Forge.Training.ForgeInfo.Version, run.Stdout.Trim());
    }
}
