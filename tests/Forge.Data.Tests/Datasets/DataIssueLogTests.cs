using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

public class DataIssueLogTests
{
    [Fact]
    public void PrintsEachIssueOnceInFileLineFormat()
    {
        var writer = new StringWriter();
        var log = new DataIssueLog(writer);
        Assert.True(log.Report(DataIssueKind.BadClassId, "a.txt", 3, "class id 9 is out of range", IssueAction.Skipped));
        Assert.False(log.Report(DataIssueKind.BadClassId, "a.txt", 3, "class id 9 is out of range", IssueAction.Skipped));
        log.Report(DataIssueKind.CorruptImage, "b.jpg", 0, "image left out: empty file", IssueAction.Skipped);
        log.Report(DataIssueKind.OutOfBounds, "c.txt", 1, "box extends outside the image; clipped to it", IssueAction.Fixed);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            ["a.txt:3: class id 9 is out of range (skipped)", "b.jpg: image left out: empty file (skipped)", "c.txt:1: box extends outside the image; clipped to it (fixed)"],
            lines);
        Assert.Equal(3, log.Count());
        Assert.Equal(1, log.Count(DataIssueKind.BadClassId));
        Assert.Equal(1, log.Count(IssueAction.Fixed));
    }

    [Fact]
    public void PrintingIsCappedButCountingIsNot()
    {
        var writer = new StringWriter();
        var log = new DataIssueLog(writer, printLimit: 2);
        for (int i = 1; i <= 5; i++) log.Report(DataIssueKind.WrongFieldCount, "a.txt", i, "expected 5 values", IssueAction.Skipped);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // two issues and one notice
        Assert.Contains("not printed", lines[2]);
        Assert.Equal(5, log.Count(DataIssueKind.WrongFieldCount));
        Assert.Contains("5 label lines skipped", log.Summary());
    }

    [Fact]
    public void ConcurrentReportsAreAllCounted()
    {
        var log = new DataIssueLog(TextWriter.Null);
        Parallel.For(0, 2000, i => log.Report(DataIssueKind.NotANumber, $"f{i % 100}.txt", i, "bad", IssueAction.Skipped));
        Assert.Equal(2000, log.Count(DataIssueKind.NotANumber));
    }
}
