using Forge.Core.Config;

namespace Forge.Export.Tests;

/// <summary>The export settings declared in ForgeConfig agree with what the exporter accepts.</summary>
public sealed class ExportSettingsTests
{
    [Fact]
    public void The_opset_setting_accepts_exactly_the_op_sets_the_exporter_writes()
    {
        Assert.True(ConfigSchema.TryGet("opset", out var opset));
        Assert.Equal(new OnnxExportOptions().Opset, opset.Default);
        for (int v = OnnxExportOptions.MinOpset - 2; v <= OnnxExportOptions.MaxOpset + 2; v++)
        {
            bool exporterTakes = v is >= OnnxExportOptions.MinOpset and <= OnnxExportOptions.MaxOpset;
            Assert.Equal(exporterTakes, opset.Problem(v) is null);
        }
    }
}
