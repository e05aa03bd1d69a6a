using System.Globalization;
using System.Security.Cryptography;
using Forge.Data.Imaging;
using Forge.Synthetic;
using YamlDotNet.RepresentationModel;

namespace Forge.Synthetic.Tests;

public class ShapesDatasetTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "forge-shapes-" + Guid.NewGuid().ToString("N"));
    static readonly ShapesDatasetOptions Tiny = new() { TrainImages = 8, ValImages = 4, ImageSize = 64 };

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    static Dictionary<string, string> FileHashes(string folder)
    {
        var result = new Dictionary<string, string>();
        foreach (string sub in new[] { "images", "labels" })
            foreach (string f in Directory.EnumerateFiles(Path.Combine(folder, sub), "*", SearchOption.AllDirectories))
                result[Path.GetRelativePath(folder, f)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)));
        return result;
    }

    [Fact]
    public void Generates_the_ultralytics_layout_with_valid_labels()
    {
        string yaml = ShapesDataset.Ensure(root, Tiny);
        string folder = Path.Combine(root, "shapes");
        Assert.Equal(Path.Combine(folder, "data.yaml"), yaml);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(folder, "images", "train"), "*.jpg").Length);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(folder, "images", "val"), "*.jpg").Length);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(folder, "labels", "train"), "*.txt").Length);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(folder, "labels", "val"), "*.txt").Length);

        int lines = 0;
        foreach (string label in Directory.EnumerateFiles(Path.Combine(folder, "labels"), "*.txt", SearchOption.AllDirectories))
        {
            string image = label.Replace(Path.Combine(folder, "labels"), Path.Combine(folder, "images")).Replace(".txt", ".jpg");
            Assert.True(File.Exists(image), $"no image for {label}");
            foreach (string line in File.ReadAllLines(label))
            {
                lines++;
                string[] f = line.Split(' ');
                Assert.Equal(5, f.Length);
                Assert.InRange(int.Parse(f[0], CultureInfo.InvariantCulture), 0, 5);
                for (int i = 1; i < 5; i++)
                {
                    Assert.Matches(@"^\d\.\d{6}$", f[i]);
                    double v = double.Parse(f[i], CultureInfo.InvariantCulture);
                    Assert.InRange(v, 0, 1);
                    if (i >= 3) Assert.True(v > 0, $"{label}: non-positive size in '{line}'");
                }
                double cx = double.Parse(f[1], CultureInfo.InvariantCulture), w = double.Parse(f[3], CultureInfo.InvariantCulture);
                Assert.True(cx - w / 2 >= -1e-6 && cx + w / 2 <= 1 + 1e-6, $"{label}: box leaves the image: '{line}'");
            }
        }
        Assert.True(lines >= 12, $"12 images should hold objects, found {lines} labels");
        var decoded = RgbImage.Read(Directory.GetFiles(Path.Combine(folder, "images", "val"))[0]);
        Assert.Equal((64, 64), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void Data_yaml_names_the_folder_splits_and_classes()
    {
        string yaml = ShapesDataset.Ensure(root, Tiny);
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(yaml))) stream.Load(reader);
        var map = (YamlMappingNode)stream.Documents[0].RootNode;
        string Scalar(string key) => ((YamlScalarNode)map.Children[new YamlScalarNode(key)]).Value!;
        Assert.Equal(Path.Combine(Path.GetFullPath(root), "shapes"), Scalar("path"));
        Assert.Equal("images/train", Scalar("train"));
        Assert.Equal("images/val", Scalar("val"));
        Assert.Equal("6", Scalar("nc"));
        var names = (YamlMappingNode)map.Children[new YamlScalarNode("names")];
        Assert.Equal(6, names.Children.Count);
        Assert.Equal("circle", ((YamlScalarNode)names.Children[new YamlScalarNode("0")]).Value);
        Assert.Equal("crescent", ((YamlScalarNode)names.Children[new YamlScalarNode("5")]).Value);
    }

    [Fact]
    public void Same_seed_gives_identical_files_and_another_seed_differs()
    {
        ShapesDataset.Generate(Path.Combine(root, "a"), Tiny);
        ShapesDataset.Generate(Path.Combine(root, "b"), Tiny);
        ShapesDataset.Generate(Path.Combine(root, "c"), Tiny with { Seed = Tiny.Seed + 1 });
        var a = FileHashes(Path.Combine(root, "a"));
        var b = FileHashes(Path.Combine(root, "b"));
        var c = FileHashes(Path.Combine(root, "c"));
        Assert.Equal(24, a.Count);
        Assert.Equal(a, b);
        Assert.Equal(a.Keys.OrderBy(k => k), c.Keys.OrderBy(k => k));
        Assert.True(a.Count(kv => c[kv.Key] != kv.Value) > 12, "a different seed should change most files");
    }

    [Fact]
    public void Ensure_reuses_a_current_dataset()
    {
        ShapesDataset.Ensure(root, Tiny);
        string marker = Path.Combine(root, "shapes", ".forge-dataset.json");
        string image = Path.Combine(root, "shapes", "images", "train", "train_00000.jpg");
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(marker, stamp);
        File.SetLastWriteTimeUtc(image, stamp);
        ShapesDataset.Ensure(root, Tiny);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(marker));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(image));
    }

    [Theory]
    [InlineData("corrupt marker")]
    [InlineData("edited label")]
    [InlineData("deleted image")]
    [InlineData("other options")]
    public void Ensure_regenerates_when_the_dataset_does_not_match(string damage)
    {
        ShapesDataset.Ensure(root, Tiny);
        string folder = Path.Combine(root, "shapes");
        var original = FileHashes(folder);
        var options = Tiny;
        switch (damage)
        {
            case "corrupt marker": File.WriteAllText(Path.Combine(folder, ".forge-dataset.json"), "{ not json"); break;
            case "edited label": File.WriteAllText(Path.Combine(folder, "labels", "val", "val_00001.txt"), "0 0.5 0.5 0.1 0.1\n"); break;
            case "deleted image": File.Delete(Path.Combine(folder, "images", "train", "train_00003.jpg")); break;
            case "other options": options = Tiny with { ValImages = 5 }; break;
        }
        Assert.False(ShapesDataset.IsCurrent(folder, options));
        ShapesDataset.Ensure(root, options);
        Assert.True(ShapesDataset.IsCurrent(folder, options));
        if (damage != "other options") Assert.Equal(original, FileHashes(folder));
        else Assert.Equal(5, Directory.GetFiles(Path.Combine(folder, "images", "val")).Length);
        Assert.Empty(Directory.GetDirectories(root, ".shapes.*")); // no temporary or replaced folders left behind
    }

    [Fact]
    public void Ensure_refuses_to_replace_a_folder_it_did_not_generate()
    {
        string foreign = Path.Combine(root, "shapes");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "my-notes.txt"), "keep me");
        var e = Assert.Throws<InvalidOperationException>(() => ShapesDataset.Ensure(root, Tiny));
        Assert.Contains(foreign, e.Message);
        Assert.True(File.Exists(Path.Combine(foreign, "my-notes.txt")));
    }

    [Fact]
    public void Ensure_cleans_leftovers_of_a_crashed_run_and_honours_the_name()
    {
        Directory.CreateDirectory(Path.Combine(root, ".toy.tmp-123-abc", "images"));
        string yaml = ShapesDataset.Ensure(root, Tiny with { Name = "toy" });
        Assert.Equal(Path.Combine(root, "toy", "data.yaml"), yaml);
        Assert.False(Directory.Exists(Path.Combine(root, ".toy.tmp-123-abc")));
    }

    [Fact]
    public void Ensure_rewrites_data_yaml_when_the_folder_moved()
    {
        ShapesDataset.Ensure(root, Tiny);
        string moved = Path.Combine(root, "elsewhere");
        Directory.CreateDirectory(moved);
        Directory.Move(Path.Combine(root, "shapes"), Path.Combine(moved, "shapes"));
        var before = FileHashes(Path.Combine(moved, "shapes"));
        string yaml = ShapesDataset.Ensure(moved, Tiny);
        Assert.Contains($"path: '{Path.Combine(moved, "shapes")}'", File.ReadAllText(yaml));
        Assert.Equal(before, FileHashes(Path.Combine(moved, "shapes"))); // reused, not regenerated
    }

    [Fact]
    public void Concurrent_callers_share_one_complete_dataset()
    {
        var options = Tiny with { TrainImages = 12 };
        var results = new string[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = ShapesDataset.Ensure(root, options));
        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.True(ShapesDataset.IsCurrent(Path.Combine(root, "shapes"), options));
        Assert.Empty(Directory.GetDirectories(root, ".shapes.*"));
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => ShapesDataset.Ensure(root, Tiny with { ImageSize = 8 }));
        Assert.Contains("ImageSize", e.Message);
        Assert.Throws<ArgumentException>(() => ShapesDataset.Ensure(root, Tiny with { Name = "../x" }));
        Assert.Throws<ArgumentException>(() => ShapesDataset.Ensure(root, Tiny with { MinObjectSize = 0.5, MaxObjectSize = 0.3 }));
    }
}
