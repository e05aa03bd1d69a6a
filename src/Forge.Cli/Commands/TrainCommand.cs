using TorchSharp;
using Forge.Core.Config;
using Forge.Training;

namespace Forge.Cli.Commands;

public static class TrainCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        var result = new Trainer(cfg, stdout).Train();
        stdout.WriteLine($"Best weights: {result.BestCheckpoint}");
        stdout.WriteLine($"Last weights: {result.LastCheckpoint}");
        return 0;
    }
}
