using Forge.Reporting;

namespace Forge.Reporting.Tests;

public class ProgressBarTests
{
    [Fact]
    public void LogOutputPrintsEachTenthOnceAndTheEnd()
    {
        var log = new StringWriter();
        var bar = new ProgressBar(20, log, interactive: false);
        for (int i = 1; i <= 20; i++) bar.Update(i, "  1/3", "loss 0.5");
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // done = 1 (0%), 2, 4, ..., 20: deciles 0..10, each once.
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("  1/3   5%|█" + new string(' ', 19) + "| 1/20 [", lines[0]);
        Assert.StartsWith("  1/3 100%|" + new string('█', 20) + "|", lines[^1]);
        Assert.Contains(" 20/20 [", lines[^1]);
        Assert.EndsWith("loss 0.5", lines[^1]);
        Assert.Contains("it/s]", lines[^1]);
    }

    [Fact]
    public void FinalUpdateIsNotRepeated()
    {
        var log = new StringWriter();
        var bar = new ProgressBar(3, log, interactive: false);
        bar.Update(3, "x");
        bar.Update(3, "x");
        Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void InteractiveRedrawsInPlaceAndEndsTheLine()
    {
        var log = new StringWriter();
        var bar = new ProgressBar(4, log, interactive: true);
        for (int i = 1; i <= 4; i++) bar.Update(i, "p");
        var text = log.ToString();
        Assert.StartsWith("\r", text);
        Assert.EndsWith("\n", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("100%", text[text.LastIndexOf('\r')..]);
    }
}
