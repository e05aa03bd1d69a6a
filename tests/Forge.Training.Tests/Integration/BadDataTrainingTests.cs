using System.Text.RegularExpressions;
using Forge.Data.Datasets;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class BadDataTrainingTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Training_on_a_broken_dataset_completes_and_reports_each_problem_once()
    {
        var ds = TinyDatasets.Broken(temp.Combine("broken"));
        var (result, log) = TinyRun.Train(TinyRun.Config(ds.Yaml, temp.Combine("runs"), "bad"));
        output.WriteLine(log);

        Assert.Equal(2, result.EpochsCompleted);
        Assert.True(File.Exists(result.LastCheckpoint));
        Assert.NotNull(result.FinalValidation);
        Assert.Equal(2, result.FinalValidation.Metrics.ImageCount);

        // Each broken image once, naming the file and why.
        Assert.Single(Regex.Matches(log, Regex.Escape(ds.TruncatedJpeg) + @": image left out: truncated JPEG[^\n]*\(skipped\)"));
        Assert.Single(Regex.Matches(log, Regex.Escape(ds.EmptyImage) + @": image left out: empty file \(skipped\)"));
        // Each bad label line once, as file:line, with what was done about it.
        foreach (var (line, kind) in ds.ExpectedLabelIssues)
        {
            string action = kind is "OutOfBounds" or "DuplicateLabel" ? "fixed" : "skipped";
            var hits = Regex.Matches(log, Regex.Escape($"{ds.ProblemLabels}:{line}: ") + @"[^\n]*\((fixed|skipped)\)");
            Assert.True(hits.Count == 1, $"line {line} ({kind}) reported {hits.Count} times");
            Assert.Equal(action, hits[0].Groups[1].Value);
        }
        Assert.Contains($"{ds.ProblemLabels}:4: class id 7 is out of range", log);
        Assert.DoesNotContain($"{ds.ProblemLabels}:1:", log);
        // Nothing else is a problem: not the fine images, the truncated image's own label file, or the unlabelled image.
        Assert.DoesNotContain(Path.GetFileName(ds.UnlabelledImage), log);
        Assert.DoesNotContain("truncated.txt", log);
        Assert.DoesNotContain("good", log);
        Assert.DoesNotContain("val0", log);

        // The summary counts what was listed: 9 files, 7 usable (the unlabelled one a background), 2 images and
        // 4 label lines skipped, 2 lines fixed.
        Assert.Contains("train: 7 images (1 backgrounds), 2 images left out, 4 label lines skipped, 2 fixed " +
                        "[corrupt image 2, wrong field count 1, not a number 1, bad class id 1, non-positive size 1, out of bounds 1, duplicate 1]", log);
        Assert.Contains("val: 2 images (0 backgrounds), 0 images left out, 0 label lines skipped, 0 fixed", log);
        Assert.Single(Regex.Matches(log, "^train: ", RegexOptions.Multiline));

        // The index the trainer builds from these sources leaves the broken images out and keeps the cleaned labels.
        var index = DatasetIndex.Build([Path.GetDirectoryName(ds.TruncatedJpeg)!], 2, new DataIssueLog(TextWriter.Null));
        var paths = index.Items.Select(i => i.ImagePath).ToList();
        Assert.DoesNotContain(ds.TruncatedJpeg, paths);
        Assert.DoesNotContain(ds.EmptyImage, paths);
        Assert.Equal(7, paths.Count);
        var problems = index.Items.Single(i => i.ImagePath == ds.ProblemImage);
        Assert.Equal(2, problems.Labels.Length);   // line 1 and the clipped line 5
        Assert.Equal(1f, problems.Labels[1].Cx + problems.Labels[1].W / 2, 5);
        Assert.True(index.Items.Single(i => i.ImagePath == ds.UnlabelledImage).IsBackground);
    }
}
