using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

public class DataYamlTests
{
    static TempFolder DatasetWithFolders()
    {
        var t = new TempFolder();
        t.WriteImage("ds/images/train/a.png", 8, 8);
        t.WriteImage("ds/images/val/b.png", 8, 8);
        return t;
    }

    [Fact]
    public void ListNamesAndRelativePath()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("cfg/data.yaml", "path: ../ds\ntrain: images/train\nval: images/val\nnames: [cat, dog]\n");
        var spec = DataYaml.Load(yaml);
        Assert.Equal(t.Full("ds"), spec.Root);
        Assert.Equal([t.Full("ds/images/train")], spec.Train);
        Assert.Equal([t.Full("ds/images/val")], spec.Val);
        Assert.Empty(spec.Test);
        Assert.Equal(["cat", "dog"], spec.Names);
        Assert.Equal(2, spec.NumClasses);
    }

    [Fact]
    public void MapNamesAndMissingPathMeansYamlFolder()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("ds/data.yaml", "train: images/train\nval: images/val\nnc: 3\nnames:\n  0: person\n  2: car\n  1: bike\n");
        var spec = DataYaml.Load(yaml);
        Assert.Equal(t.Full("ds"), spec.Root);
        Assert.Equal(["person", "bike", "car"], spec.Names);
    }

    [Fact]
    public void AbsolutePath()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("elsewhere/data.yaml", $"path: {t.Full("ds")}\ntrain: images/train\nval: images/val\nnames: [a]\n");
        Assert.Equal(t.Full("ds"), DataYaml.Load(yaml).Root);
    }

    [Fact]
    public void NonContiguousMapIsAClearError()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("ds/data.yaml", "train: images/train\nval: images/val\nnames: {0: a, 2: c}\n");
        var e = Assert.Throws<InvalidDataException>(() => DataYaml.Load(yaml));
        Assert.Contains(yaml, e.Message);
        Assert.Contains("'names'", e.Message);
        Assert.Contains("1 is missing", e.Message);
    }

    [Fact]
    public void NcMustAgreeWithNames()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("ds/data.yaml", "train: images/train\nval: images/val\nnc: 3\nnames: [a, b]\n");
        var e = Assert.Throws<InvalidDataException>(() => DataYaml.Load(yaml));
        Assert.Contains("'nc'", e.Message);
        Assert.Contains(yaml, e.Message);
    }

    [Fact]
    public void MissingSourceNamesKeyAndPath()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("ds/data.yaml", "train: images/train\nval: images/nothere\nnames: [a]\n");
        var e = Assert.Throws<InvalidDataException>(() => DataYaml.Load(yaml));
        Assert.Contains("'val'", e.Message);
        Assert.Contains(t.Full("ds/images/nothere"), e.Message);
    }

    [Fact]
    public void TxtListsAndListsOfSources()
    {
        using var t = DatasetWithFolders();
        t.WriteImage("ds/images/extra/c.png", 8, 8);
        t.WriteText("ds/train.txt", "./images/train/a.png\nimages/extra/c.png\n\n");
        var yaml = t.WriteText("ds/data.yaml", "train: train.txt\nval: [images/val, images/extra]\ntest: images/val\nnames: [a]\n");
        var spec = DataYaml.Load(yaml);
        Assert.Equal([t.Full("ds/train.txt")], spec.Train);
        Assert.Equal([t.Full("ds/images/val"), t.Full("ds/images/extra")], spec.Val);
        Assert.Equal([t.Full("ds/images/val")], spec.Test);

        Assert.Equal([t.Full("ds/images/extra/c.png"), t.Full("ds/images/train/a.png")], ImageSources.Expand(spec.Train));
        Assert.Equal([t.Full("ds/images/extra/c.png"), t.Full("ds/images/val/b.png")], ImageSources.Expand(spec.Val));
    }

    [Fact]
    public void NamesMissingButNcGiven()
    {
        using var t = DatasetWithFolders();
        var yaml = t.WriteText("ds/data.yaml", "train: images/train\nval: images/val\nnc: 2\n");
        Assert.Equal(["class0", "class1"], DataYaml.Load(yaml).Names);
    }
}
