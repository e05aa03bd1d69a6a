using Forge.Core.Config;
using Forge.Training.Checkpoints;

namespace Forge.Cli.Commands;

public static class ExportCommand
{
    public static int Run(ForgeConfig cfg, TextWriter stdout)
    {
        TrainedWeights.Require(cfg, "export");
        var format = cfg.GetString("format") ?? "safetensors";
        if (!format.Equals("safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException($"format={format}: only safetensors export is available (plain weights with Ultralytics' tensor names)");
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(cfg.Model))!, Path.GetFileNameWithoutExtension(cfg.Model) + ".weights.safetensors");
        var (path, tensors, bytes) = WeightsExporter.ExportSafetensors(cfg.Model, output);
        stdout.WriteLine($"Exported {tensors} tensors ({bytes / 1048576.0:0.0} MB) to {path}");
        return 0;
    }
}
