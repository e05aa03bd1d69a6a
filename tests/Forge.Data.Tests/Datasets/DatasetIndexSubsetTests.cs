using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

/// <summary>fraction= and label mapping (classes=, single_cls) on an index, as Ultralytics' get_img_files and update_labels.</summary>
public class DatasetIndexSubsetTests
{
    static (TempFolder Folder, DatasetIndex Index) FiveImages()
    {
        var t = new TempFolder();
        for (int i = 0; i < 5; i++)
        {
            t.WriteImage($"images/{i}.png", 16, 16, i + 1);
            t.WriteText($"labels/{i}.txt", $"{i % 3} 0.5 0.5 0.2 0.2\n{(i + 1) % 3} 0.3 0.3 0.1 0.1\n");
        }
        return (t, DatasetIndex.Build([t.Full("images")], 3, new DataIssueLog(TextWriter.Null), "train", threads: 1));
    }

    [Theory]
    [InlineData(1.0, 5)]
    [InlineData(0.5, 2)]   // round(2.5) = 2 in Python (half to even)
    [InlineData(0.7, 4)]   // round(3.5) = 4
    [InlineData(0.01, 1)]  // never empty
    public void FractionKeepsTheFirstImagesInPathOrder(double fraction, int expected)
    {
        var (t, index) = FiveImages();
        using var _ = t;
        var part = index.FirstFraction(fraction);
        Assert.Equal(index.Items.Take(expected).Select(i => i.ImagePath), part.Items.Select(i => i.ImagePath));
        Assert.Equal(fraction == 1.0, part.Fingerprint == index.Fingerprint);
    }

    [Fact]
    public void MappingLabelsDropsOrChangesThemAndTheFingerprintSaysSo()
    {
        var (t, index) = FiveImages();
        using var _ = t;
        var only0 = index.MapLabels(l => l.ClassId == 0 ? l : null, 3, "classes=0");
        Assert.All(only0.Items.SelectMany(i => i.Labels), l => Assert.Equal(0, l.ClassId));
        Assert.Equal(index.Items.Sum(i => i.Labels.Count(l => l.ClassId == 0)), only0.Items.Sum(i => i.Labels.Length));
        Assert.Equal(2, only0.BackgroundCount);   // images 1 and 4 have classes 1 and 2 only
        Assert.NotEqual(index.Fingerprint, only0.Fingerprint);
        var single = index.MapLabels(l => l with { ClassId = 0 }, 1, "single_cls");
        Assert.Equal(1, single.NumClasses);
        Assert.Equal(index.Items.Sum(i => i.Labels.Length), single.Items.Sum(i => i.Labels.Count(l => l.ClassId == 0)));
    }
}
