using Forge.Data.Datasets;
using Forge.Data.Imaging;

namespace Forge.Data.Tests.Datasets;

public class DatasetIndexTests
{
    /// <summary>3 good images (labelled, no label file, empty label file) and 3 broken ones.</summary>
    static TempFolder MixedDataset()
    {
        var t = new TempFolder();
        t.WriteImage("images/a.png", 40, 20, 1);
        t.WriteText("labels/a.txt", "0 0.5 0.5 0.2 0.2\n5 0.5 0.5 0.1 0.1\n");
        t.WriteImage("images/b.png", 16, 32, 2);
        t.WriteImage("images/c.png", 8, 8, 3);
        t.WriteText("labels/c.txt", "");
        t.WriteBytes("images/zero.jpg", []);
        t.WriteBytes("images/garbage.png", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        TempFolder.Pattern(32, 32).Save(t.Full("images/full.jpg"));
        var jpeg = File.ReadAllBytes(t.Full("images/full.jpg"));
        t.WriteBytes("images/truncated.jpg", jpeg[..(jpeg.Length / 2)]);
        File.Delete(t.Full("images/full.jpg"));
        return t;
    }

    [Fact]
    public void BadImagesAreReportedAndSkipped()
    {
        using var t = MixedDataset();
        var writer = new StringWriter();
        var log = new DataIssueLog(writer);
        var index = DatasetIndex.Build([t.Full("images")], 2, log, "train", threads: 2);

        Assert.Equal([t.Full("images/a.png"), t.Full("images/b.png"), t.Full("images/c.png")], index.Items.Select(i => i.ImagePath));
        Assert.Equal(3, index.SkippedImageCount);
        Assert.Equal(2, index.BackgroundCount);
        var a = index.Items[0];
        Assert.Equal((40, 20), (a.Width, a.Height));
        Assert.Equal([new ObjectLabel(0, 0.5f, 0.5f, 0.2f, 0.2f)], a.Labels);
        Assert.Equal((16, 32), (index.Items[1].Width, index.Items[1].Height));

        var corrupt = log.Issues.Where(i => i.Kind == DataIssueKind.CorruptImage).ToList();
        Assert.Equal([t.Full("images/garbage.png"), t.Full("images/truncated.jpg"), t.Full("images/zero.jpg")], corrupt.Select(i => i.File));
        Assert.All(corrupt, i => Assert.Equal((0, IssueAction.Skipped), (i.Line, i.Action)));
        Assert.Contains("truncated", corrupt[1].Message);
        Assert.Contains("empty", corrupt[2].Message);
        Assert.Equal(1, log.Count(DataIssueKind.BadClassId));
        Assert.Contains($"{t.Full("labels/a.txt")}:2: class id 5", writer.ToString());

        Assert.Equal("train: 3 images (2 backgrounds), 3 images left out, 1 label lines skipped, 0 fixed [corrupt image 3, bad class id 1]", log.Summary());
    }

    [Fact]
    public void RebuildingWithTheSameLogDoesNotRepeatIssues()
    {
        using var t = MixedDataset();
        var writer = new StringWriter();
        var log = new DataIssueLog(writer);
        DatasetIndex.Build([t.Full("images")], 2, log, "train", threads: 1);
        int printed = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        DatasetIndex.Build([t.Full("images")], 2, log, "train", threads: 1);
        Assert.Equal(printed, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(4, log.Count());
    }

    [Fact]
    public void FingerprintIsStableAndSeesLabelChanges()
    {
        using var t = MixedDataset();
        var quiet = new DataIssueLog(TextWriter.Null);
        string f1 = DatasetIndex.Build([t.Full("images")], 2, quiet, threads: 2).Fingerprint;
        string f2 = DatasetIndex.Build([t.Full("images")], 2, quiet, threads: 1).Fingerprint;
        Assert.Equal(f1, f2);
        Assert.Matches("^[0-9a-f]{64}$", f1);
        t.WriteText("labels/b.txt", "1 0.5 0.5 0.3 0.3\n");
        Assert.NotEqual(f1, DatasetIndex.Build([t.Full("images")], 2, quiet, threads: 2).Fingerprint);
    }

    [Fact]
    public void CacheKeepsImagesWithLongSideAtSize()
    {
        using var t = MixedDataset();
        var index = DatasetIndex.Build([t.Full("images")], 2, new DataIssueLog(TextWriter.Null), cacheImageSize: 10);
        Assert.Equal(10, index.CacheImageSize);
        Assert.Equal((10, 5), (index.Items[0].CachedImage!.Width, index.Items[0].CachedImage!.Height));
        Assert.Equal((5, 10), (index.Items[1].CachedImage!.Width, index.Items[1].CachedImage!.Height));
        Assert.Equal((10, 10), (index.Items[2].CachedImage!.Width, index.Items[2].CachedImage!.Height));
        Assert.Equal(index.Items.Sum(i => (long)i.CachedImage!.Width * i.CachedImage.Height * 3), index.CachedBytes);
        Assert.Null(DatasetIndex.Build([t.Full("images")], 2, new DataIssueLog(TextWriter.Null)).Items[0].CachedImage);
    }

    [Fact]
    public void TxtListedMissingImageIsReportedNotThrown()
    {
        using var t = new TempFolder();
        t.WriteImage("images/a.png", 8, 8);
        t.WriteText("labels/a.txt", "0 0.5 0.5 0.5 0.5\n");
        var list = t.WriteText("list.txt", "images/a.png\nimages/missing.png\n");
        var log = new DataIssueLog(TextWriter.Null);
        var index = DatasetIndex.Build([list], 1, log, "val");
        Assert.Single(index.Items);
        var issue = Assert.Single(log.Issues);
        Assert.Equal((DataIssueKind.CorruptImage, t.Full("images/missing.png")), (issue.Kind, issue.File));
    }

    [Fact]
    public void NoImagesIsAClearError()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.Full("images"));
        var e = Assert.Throws<InvalidDataException>(() => DatasetIndex.Build([t.Full("images")], 1, new DataIssueLog(TextWriter.Null), "val"));
        Assert.Contains("val: no images found", e.Message);
    }
}
