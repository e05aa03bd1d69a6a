namespace Forge.Codebase.Tests;

/// <summary>Methods short enough to read whole (the developers' guide: none in src/ over 80 lines; the training loop at most 60).</summary>
public class MethodLengthTests
{
    const int MaxLines = 80;
    const int MaxTrainLines = 60;

    [Fact]
    public void NoMethodInSrcIsLongerThan80Lines()
    {
        var tooLong = SourceTree.Files()
            .SelectMany(f => SourceTree.Methods(f.Tree).Select(m => (f.Path, m.Name, Lines: SourceTree.LineCount(m.Node), Line: m.Node.GetLocation().GetLineSpan().StartLinePosition.Line + 1)))
            .Where(m => m.Lines > MaxLines)
            .Select(m => $"{m.Path}:{m.Line}: {m.Name} has {m.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, $"methods over {MaxLines} lines:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void TrainerTrainIsAtMost60Lines()
    {
        var (_, tree) = SourceTree.Files().Single(f => f.Path.EndsWith(Path.Combine("Forge.Training", "Trainer.cs"), StringComparison.Ordinal));
        var train = SourceTree.Methods(tree).Single(m => m.Name == "Trainer.Train");
        Assert.InRange(SourceTree.LineCount(train.Node), 10, MaxTrainLines);
    }

    [Fact]
    public void TheScanSeesTheWholeSourceTree()
    {
        // Guards the checks above against passing because nothing was found.
        var files = SourceTree.Files().ToList();
        Assert.True(files.Count > 100, $"only {files.Count} files under src/");
        Assert.True(files.Sum(f => SourceTree.Methods(f.Tree).Count()) > 500);
    }
}
