using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

/// <summary>
/// What a dataset makes of the files users bring: every OpenCV-decodable format is an image (WebP and TIFF included), an
/// EXIF-rotated photo has the size it is shown at (labels refer to that, as Ultralytics' exif_size does), a file that
/// cannot be decoded is named with the reason and counted, an image whose every label line is invalid is left out and
/// counted, and a split without any label file is an error that says where labels were looked for.
/// </summary>
public class InputKindTests
{
    static readonly string Decode = Path.Combine(AppContext.BaseDirectory, "Fixtures", "decode");

    static void Copy(TempFolder t, string fixture, string relative) =>
        t.WriteBytes(relative, File.ReadAllBytes(Path.Combine(Decode, fixture)));

    [Fact]
    public void Webp_tiff_and_exif_rotated_images_are_indexed_with_their_shown_size()
    {
        using var t = new TempFolder();
        Copy(t, "lossy.webp", "images/a.webp");
        Copy(t, "lzw.tiff", "images/b.tiff");
        Copy(t, "exif6.jpg", "images/c.jpg");
        Copy(t, "trailing.jpg", "images/d.jpg");
        Copy(t, "cmyk.jpg", "images/e.jpg");
        foreach (var n in "abcde") t.WriteText($"labels/{n}.txt", "0 0.5 0.5 0.25 0.5\n");
        var log = new DataIssueLog(TextWriter.Null);
        var index = DatasetIndex.Build([t.Full("images")], 1, log, "train");
        Assert.Equal(["a.webp", "b.tiff", "c.jpg", "d.jpg", "e.jpg"], index.Items.Select(i => Path.GetFileName(i.ImagePath)));
        Assert.Equal((16, 24), (index.Items[2].Width, index.Items[2].Height));   // stored 24x16, shown rotated
        Assert.All(index.Items, i => Assert.Single(i.Labels));
        Assert.Equal(0, log.Count());
        Assert.StartsWith("train: 5 images (0 backgrounds), 0 images left out", log.Summary());
    }

    [Fact]
    public void An_undecodable_file_is_named_once_with_the_reason_and_counted()
    {
        using var t = new TempFolder();
        Copy(t, "plain.jpg", "images/good.jpg");
        t.WriteText("labels/good.txt", "0 0.5 0.5 0.25 0.5\n");
        t.WriteBytes("images/phone.heic", [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0]);
        t.WriteText("labels/phone.txt", "0 0.5 0.5 0.25 0.5\n");
        var writer = new StringWriter();
        var log = new DataIssueLog(writer);
        var index = DatasetIndex.Build([t.Full("images")], 1, log, "train");
        Assert.Single(index.Items);
        Assert.Equal(1, index.SkippedImageCount);
        var issue = Assert.Single(log.Issues);
        Assert.Equal((DataIssueKind.CorruptImage, t.Full("images/phone.heic")), (issue.Kind, issue.File));
        Assert.Contains("HEIC", issue.Message);
        Assert.Single(writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("train: 1 images (0 backgrounds), 1 images left out", log.Summary());
    }

    [Fact]
    public void An_image_whose_every_label_line_is_invalid_is_left_out_not_trained_as_background()
    {
        using var t = new TempFolder();
        t.WriteImage("images/good.png", 20, 20, 1);
        t.WriteText("labels/good.txt", "0 0.5 0.5 0.25 0.5\n");
        t.WriteImage("images/bad.png", 20, 20, 2);
        t.WriteText("labels/bad.txt", "7 0.5 0.5 0.2 0.2\n0 0.5 0.5 abc 0.2\n");
        t.WriteImage("images/empty.png", 20, 20, 3);
        t.WriteText("labels/empty.txt", "");
        var log = new DataIssueLog(TextWriter.Null);
        var index = DatasetIndex.Build([t.Full("images")], 2, log, "train");
        Assert.Equal(["empty.png", "good.png"], index.Items.Select(i => Path.GetFileName(i.ImagePath)));
        Assert.Equal(1, index.BackgroundCount);   // the empty label file: a real background
        Assert.Equal(1, index.SkippedImageCount);
        var left = Assert.Single(log.Issues, i => i.Kind == DataIssueKind.AllLabelsInvalid);
        Assert.Equal(t.Full("images/bad.png"), left.File);
        Assert.Contains(t.Full("labels/bad.txt"), left.Message);
        Assert.StartsWith("train: 2 images (1 backgrounds), 1 images left out, 2 label lines skipped", log.Summary());
    }

    [Fact]
    public void A_split_without_any_label_file_is_an_error_saying_where_labels_were_looked_for()
    {
        using var t = new TempFolder();
        t.WriteImage("images/train/a.png", 20, 20, 1);
        t.WriteImage("images/train/b.png", 20, 20, 2);
        t.WriteText("annotations/a.txt", "0 0.5 0.5 0.25 0.5\n");   // labels kept where Ultralytics does not look
        var e = Assert.Throws<InvalidDataException>(() => DatasetIndex.Build([t.Full("images/train")], 1, new DataIssueLog(TextWriter.Null), "train"));
        Assert.Contains("train: no label file was found for any of its 2 readable images", e.Message);
        Assert.Contains(t.Full("labels/train/a.txt"), e.Message);
        Assert.Contains("'labels' folder beside 'images'", e.Message);
    }

    [Fact]
    public void A_split_whose_labels_are_all_invalid_is_an_error()
    {
        using var t = new TempFolder();
        t.WriteImage("images/a.png", 20, 20, 1);
        t.WriteText("labels/a.txt", "3 0.5 0.5 0.2 0.2\n");
        var e = Assert.Throws<InvalidDataException>(() => DatasetIndex.Build([t.Full("images")], 1, new DataIssueLog(TextWriter.Null), "val"));
        Assert.Contains("val: every label of its images is invalid (1 images left out)", e.Message);
    }
}
