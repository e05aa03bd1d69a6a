using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

public class LabelReaderTests
{
    const string File = "lbl.txt";

    static (LabelReadResult Result, List<DataIssue> Issues) Parse(string text, int nc = 3)
    {
        var issues = new List<DataIssue>();
        return (LabelReader.Parse(text, File, nc, issues), issues);
    }

    static DataIssue Single(List<DataIssue> issues, DataIssueKind kind, int line, IssueAction action)
    {
        var issue = Assert.Single(issues);
        Assert.Equal(kind, issue.Kind);
        Assert.Equal(line, issue.Line);
        Assert.Equal(action, issue.Action);
        Assert.Equal(File, issue.File);
        return issue;
    }

    [Fact]
    public void ValidLinesWithBlanksAndWhitespace()
    {
        var (r, issues) = Parse("\n  0 0.5 0.5 0.2 0.4  \r\n\n2\t0.25 0.75 0.1 0.1\r\n");
        Assert.Empty(issues);
        Assert.Equal(LabelFileState.Labeled, r.State);
        Assert.Equal([new ObjectLabel(0, 0.5f, 0.5f, 0.2f, 0.4f), new ObjectLabel(2, 0.25f, 0.75f, 0.1f, 0.1f)], r.Labels);
    }

    [Theory]
    [InlineData("0 0.5 0.5 0.2")]
    [InlineData("0 0.5 0.5 0.2 0.2 0.3")]
    [InlineData("0")]
    public void WrongFieldCountSkipsLine(string bad)
    {
        var (r, issues) = Parse($"1 0.5 0.5 0.2 0.2\n{bad}\n");
        Single(issues, DataIssueKind.WrongFieldCount, 2, IssueAction.Skipped);
        Assert.Equal([new ObjectLabel(1, 0.5f, 0.5f, 0.2f, 0.2f)], r.Labels);
    }

    [Fact]
    public void PolygonBecomesItsBoundingBox()
    {
        var (r, issues) = Parse("0 0.1 0.1 0.5 0.1 0.3 0.4\n");
        Single(issues, DataIssueKind.PolygonLabel, 1, IssueAction.Fixed);
        var l = Assert.Single(r.Labels);
        Assert.Equal(0.3f, l.Cx, 5);
        Assert.Equal(0.25f, l.Cy, 5);
        Assert.Equal(0.4f, l.W, 5);
        Assert.Equal(0.3f, l.H, 5);
    }

    [Theory]
    [InlineData("0 abc 0.5 0.2 0.2")]
    [InlineData("0 0.5 NaN 0.2 0.2")]
    [InlineData("0 0.5 0.5 Infinity 0.2")]
    [InlineData("x 0.5 0.5 0.2 0.2")]
    public void NonNumericOrNonFiniteSkipsLine(string bad)
    {
        var (r, issues) = Parse($"{bad}\n");
        Single(issues, DataIssueKind.NotANumber, 1, IssueAction.Skipped);
        Assert.Empty(r.Labels);
    }

    [Theory]
    [InlineData("3 0.5 0.5 0.2 0.2", "out of range")]
    [InlineData("-1 0.5 0.5 0.2 0.2", "negative")]
    [InlineData("1.5 0.5 0.5 0.2 0.2", "not an integer")]
    public void BadClassIdSkipsLine(string bad, string why)
    {
        var (r, issues) = Parse($"0 0.5 0.5 0.2 0.2\n\n{bad}\n");
        var issue = Single(issues, DataIssueKind.BadClassId, 3, IssueAction.Skipped);
        Assert.Contains(why, issue.Message);
        Assert.Single(r.Labels);
    }

    [Fact]
    public void IntegralFloatClassIdIsAccepted()
    {
        var (r, issues) = Parse("2.0 0.5 0.5 0.2 0.2\n");
        Assert.Empty(issues);
        Assert.Equal(2, Assert.Single(r.Labels).ClassId);
    }

    [Theory]
    [InlineData("0 0.5 0.5 0 0.2")]
    [InlineData("0 0.5 0.5 0.2 -0.1")]
    public void ZeroOrNegativeSizeSkipsLine(string bad)
    {
        var (r, issues) = Parse(bad);
        Single(issues, DataIssueKind.NonPositiveSize, 1, IssueAction.Skipped);
        Assert.Empty(r.Labels);
    }

    [Fact]
    public void BoxPartlyOutsideIsClipped()
    {
        var (r, issues) = Parse("1 0.95 0.5 0.2 0.2\n");
        Single(issues, DataIssueKind.OutOfBounds, 1, IssueAction.Fixed);
        var l = Assert.Single(r.Labels);
        Assert.Equal(0.925f, l.Cx, 5);
        Assert.Equal(0.15f, l.W, 5);
        Assert.Equal(0.5f, l.Cy, 5);
        Assert.Equal(0.2f, l.H, 5);
    }

    [Theory]
    [InlineData("1 1.2 0.5 0.2 0.2")]
    [InlineData("1 0.5 -0.01 0.2 0.2")]
    public void CentreOutsideIsSkipped(string bad)
    {
        var (r, issues) = Parse(bad);
        Single(issues, DataIssueKind.OutOfBounds, 1, IssueAction.Skipped);
        Assert.Empty(r.Labels);
    }

    [Fact]
    public void PolygonOutsideTheImageIsSkipped()
    {
        var (r, issues) = Parse("0 1.0 0.1 1.2 0.2 1.1 0.4\n");
        Single(issues, DataIssueKind.OutOfBounds, 1, IssueAction.Skipped);
        Assert.Empty(r.Labels);
    }

    [Fact]
    public void ClippingThatLeavesNoAreaIsSkipped()
    {
        // Centre on the right edge and a width below double precision there: nothing remains inside.
        var (r, issues) = Parse("0 1 0.5 1e-17 0.2\n");
        var issue = Single(issues, DataIssueKind.OutOfBounds, 1, IssueAction.Skipped);
        Assert.Contains("no area", issue.Message);
        Assert.Empty(r.Labels);
    }

    [Fact]
    public void DuplicatesAreDropped()
    {
        var (r, issues) = Parse("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2000000001\n");
        Single(issues, DataIssueKind.DuplicateLabel, 3, IssueAction.Fixed);
        Assert.Equal(2, r.Labels.Length);
    }

    [Fact]
    public void MissingFileIsBackgroundWithoutIssue()
    {
        var log = new DataIssueLog(TextWriter.Null);
        var r = LabelReader.Read(Path.Combine(Path.GetTempPath(), "forge-no-such-label-" + Guid.NewGuid() + ".txt"), 3, log);
        Assert.Equal(LabelFileState.Missing, r.State);
        Assert.Empty(r.Labels);
        Assert.Equal(0, log.Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\r\n \t\n")]
    public void EmptyFileIsBackground(string text)
    {
        using var t = new TempFolder();
        var path = t.WriteText("l.txt", text);
        var log = new DataIssueLog(TextWriter.Null);
        var r = LabelReader.Read(path, 3, log);
        Assert.Equal(LabelFileState.Empty, r.State);
        Assert.Empty(r.Labels);
        Assert.Equal(0, log.Count());
    }

    [Fact]
    public void ReadReportsToLogWithFilePath()
    {
        using var t = new TempFolder();
        var path = t.WriteText("l.txt", "0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.1 0.1\n");
        var log = new DataIssueLog(TextWriter.Null);
        var r = LabelReader.Read(path, 3, log);
        Assert.Single(r.Labels);
        var issue = Assert.Single(log.Issues);
        Assert.Equal(path, issue.File);
        Assert.Equal(2, issue.Line);
        Assert.Equal(1, log.Count(DataIssueKind.BadClassId));
    }
}
