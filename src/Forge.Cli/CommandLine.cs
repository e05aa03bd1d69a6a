using Forge.Cli.Commands;
using Forge.Core.Config;

namespace Forge.Cli;

/// <summary>Dispatches <c>forge MODE key=value ...</c> like the Ultralytics CLI, and turns expected failures into one-line errors.</summary>
public static class CommandLine
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "help" or "-h" or "--help")
        {
            Help.Print(stdout);
            return 0;
        }
        string mode = args[0];
        var rest = args[1..];
        try
        {
            return mode switch
            {
                "train" => TrainCommand.Run(Parse(rest), args, stdout, stderr),
                "val" => ValCommand.Run(Parse(rest), args, stdout, stderr),
                "predict" => PredictCommand.Run(Parse(rest), stdout),
                "demo" => DemoCommand.Run(args, stdout, stderr),
                "export" => ExportCommand.Run(Parse(rest), stdout),
                // Internal: the child process of the channels_last check (ChannelsLastTrialProcess); not in the help.
                ChannelsLastTrialMode => ChannelsLastTrials(rest, stdout, stderr),
                "version" or "--version" => Print(stdout, Forge.Training.ForgeInfo.Version),
                "settings" or "cfg" => Print(stdout, new ForgeConfig().ToYaml()),
                _ => throw new ConfigException($"unknown mode '{mode}'; use train, val, predict, export, demo, settings or help"),
            };
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
                                   or ArgumentException or InvalidOperationException or NotSupportedException or IOException)
        {
            stderr.WriteLine($"forge: error: {e.Message}");
            if (Environment.GetEnvironmentVariable("FORGE_DEBUG") == "1") stderr.WriteLine(e);
            return e is ConfigException or ArgumentException ? 2 : 1;
        }
    }

    /// <summary>The mode under which <see cref="Forge.Torch.ChannelsLastTrialProcess"/> starts this program again.</summary>
    public const string ChannelsLastTrialMode = "channels-last-trial";

    /// <summary>Registers this program as the child process of the channels_last check (see <see cref="Forge.Torch.ChannelsLastCheck"/>).
    /// Program.Main calls it; tests that run <see cref="Run"/> in their own process do not (their process is not forge).</summary>
    public static void RegisterChannelsLastTrialProcess() =>
        Forge.Torch.ChannelsLastTrialProcess.Current ??= Forge.Torch.ChannelsLastTrialProcess.ForThisProgram(ChannelsLastTrialMode);

    static int ChannelsLastTrials(string[] shapes, TextWriter stdout, TextWriter stderr)
    {
        Forge.Training.TensorLibrary.DisableNnpackWhereItCannotStart();
        return Forge.Torch.ChannelsLastCheck.RunTrials(shapes, stdout, stderr);
    }

    static ForgeConfig Parse(string[] args)
    {
        var cfg = new ForgeConfig();
        // cfg=file.yaml first, so command-line pairs override it.
        var cfgArg = args.FirstOrDefault(a => a.StartsWith("cfg=", StringComparison.Ordinal));
        if (cfgArg is not null) cfg.ApplyYaml(cfgArg[4..]);
        cfg.ApplyArguments(args.Where(a => !a.StartsWith("cfg=", StringComparison.Ordinal)));
        return cfg;
    }

    static int Print(TextWriter w, string text)
    {
        w.WriteLine(text.TrimEnd());
        return 0;
    }
}
