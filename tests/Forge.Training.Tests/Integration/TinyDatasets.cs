using System.Globalization;
using System.Text;
using Forge.Data.Datasets;
using Forge.Data.Imaging;
using Forge.Synthetic;
using OpenCvSharp;

namespace Forge.Training.Tests.Integration;

/// <summary>Small on-disk datasets for end-to-end runs: a generated shapes set, and a hand-made one full of mistakes.</summary>
public static class TinyDatasets
{
    /// <summary>8 train and 4 val images of 96 px from the shapes generator (no clutter, so even a few steps see clear objects); returns data.yaml.</summary>
    public static string Shapes(string folder, int trainImages = 8, int valImages = 4)
    {
        ShapesDataset.Generate(folder, new ShapesDatasetOptions
        {
            TrainImages = trainImages, ValImages = valImages, ImageSize = 96, MinObjects = 1, MaxObjects = 3,
            EmptyImageFraction = 0, Clutter = false, MinObjectSize = 0.3, MaxObjectSize = 0.6,
        });
        return System.IO.Path.Combine(folder, "data.yaml");
    }

    /// <summary>The val split of <paramref name="spec"/> indexed as <c>forge val</c> indexes it (COCO json labels included); data problems are not printed.</summary>
    public static DatasetIndex ValIndex(DatasetSpec spec) =>
        DatasetIndex.Build(spec.Val, spec.NumClasses, new DataIssueLog(TextWriter.Null), "val", cocoImages: spec.CocoImagesFor);

    /// <summary>
    /// Four 64x64 images, each one object filling the whole frame (train and val the same folder): any box covering the
    /// image is a perfect match, so even an untrained detector that reports boxes scores well above zero.
    /// </summary>
    public static string WholeFrame(string folder)
    {
        string images = Dir(folder, "images"), labels = Dir(folder, "labels");
        for (int i = 0; i < 4; i++)
        {
            using var frame = Background(64, 64, i);
            ImageFile.Write(frame, System.IO.Path.Combine(images, $"frame{i}.jpg"));
            File.WriteAllText(System.IO.Path.Combine(labels, $"frame{i}.txt"), "0 0.5 0.5 1 1\n");
        }
        string yaml = System.IO.Path.Combine(folder, "data.yaml");
        File.WriteAllText(yaml, $"path: {folder}\ntrain: images\nval: images\nnames: [frame]\n");
        return yaml;
    }

    /// <summary>What <see cref="Broken"/> wrote, for the assertions.</summary>
    public sealed record BrokenDataset(
        string Yaml, string TruncatedJpeg, string EmptyImage, string ProblemLabels, string ProblemImage, string UnlabelledImage,
        IReadOnlyList<string> GoodTrainImages, IReadOnlyList<(int Line, string Kind)> ExpectedLabelIssues);

    /// <summary>
    /// An Ultralytics-layout dataset with two classes and deliberate problems in the train split: a truncated JPEG, a
    /// zero-byte image, a label file with one line per kind of mistake, and an image without a label file.
    /// </summary>
    public static BrokenDataset Broken(string folder)
    {
        string trainImages = Dir(folder, "images", "train"), trainLabels = Dir(folder, "labels", "train");
        string valImages = Dir(folder, "images", "val"), valLabels = Dir(folder, "labels", "val");
        var good = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            string img = System.IO.Path.Combine(trainImages, $"good{i}.jpg");
            WriteScene(img, System.IO.Path.Combine(trainLabels, $"good{i}.txt"), seed: i);
            good.Add(img);
        }
        for (int i = 0; i < 2; i++)
            WriteScene(System.IO.Path.Combine(valImages, $"val{i}.jpg"), System.IO.Path.Combine(valLabels, $"val{i}.txt"), seed: 10 + i);

        // Truncated: a valid JPEG cut in half (a label file is there too, it must not matter).
        string truncated = System.IO.Path.Combine(trainImages, "truncated.jpg");
        WriteScene(truncated, System.IO.Path.Combine(trainLabels, "truncated.txt"), seed: 20);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        string empty = System.IO.Path.Combine(trainImages, "empty.jpg");
        File.WriteAllBytes(empty, []);

        // One image whose label file has every kind of line problem, one per line.
        string problemImage = System.IO.Path.Combine(trainImages, "problems.jpg");
        string problemLabels = System.IO.Path.Combine(trainLabels, "problems.txt");
        WriteScene(problemImage, problemLabels, seed: 30);
        File.WriteAllText(problemLabels, string.Join('\n',
            "0 0.300000 0.300000 0.200000 0.200000",   // 1 fine
            "1 0.5 0.5 0.2",                           // 2 wrong field count
            "1 0.5 abc 0.2 0.2",                       // 3 not a number
            "7 0.5 0.5 0.2 0.2",                       // 4 class id out of range (2 classes)
            "1 0.950000 0.600000 0.200000 0.200000",   // 5 reaches past the right edge: clipped
            "1 0.5 0.5 0 0.2",                         // 6 zero width
            "0 0.300000 0.300000 0.200000 0.200000",   // 7 duplicate of line 1
            "") );
        var expected = new List<(int, string)>
        {
            (2, "WrongFieldCount"), (3, "NotANumber"), (4, "BadClassId"), (5, "OutOfBounds"), (6, "NonPositiveSize"), (7, "DuplicateLabel"),
        };

        // No label file: a background image, not a problem.
        string unlabelled = System.IO.Path.Combine(trainImages, "unlabelled.jpg");
        using (var background = Background(96, 80, 40)) ImageFile.Write(background, unlabelled);

        string yaml = System.IO.Path.Combine(folder, "data.yaml");
        File.WriteAllText(yaml, $"path: {folder}\ntrain: images/train\nval: images/val\nnames:\n  0: box\n  1: bar\n");
        return new BrokenDataset(yaml, truncated, empty, problemLabels, problemImage, unlabelled, good, expected);
    }

    static string Dir(params string[] parts)
    {
        string d = System.IO.Path.Combine(parts);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A BGR image with a soft pattern (R varies with x, G with y).</summary>
    static Mat Background(int width, int height, int seed)
    {
        var img = new Mat(height, width, MatType.CV_8UC3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                img.Set(y, x, new Vec3b((byte)(80 + seed % 30), (byte)(70 + (y + seed * 7) % 40), (byte)(60 + (x + seed * 13) % 40)));
        return img;
    }

    /// <summary>A 96x80 image with a filled square (class 0) and a wide bar (class 1), and the matching label file.</summary>
    static void WriteScene(string imagePath, string labelPath, int seed)
    {
        const int w = 96, h = 80;
        using var img = Background(w, h, seed);
        int sx = 8 + seed * 5 % 30, sy = 8 + seed * 3 % 20;
        Cv2.Rectangle(img, new Rect(sx, sy, 24, 24), new Scalar(40, 40, 230), -1);   // red (BGR)
        int bx = 40 + seed * 7 % 20, by = 50 + seed % 10;
        Cv2.Rectangle(img, new Rect(bx, by, 36, 12), new Scalar(230, 60, 40), -1);   // blue
        ImageFile.Write(img, imagePath);
        var sb = new StringBuilder();
        sb.AppendLine(Line(0, sx, sy, 24, 24, w, h));
        sb.AppendLine(Line(1, bx, by, 36, 12, w, h));
        File.WriteAllText(labelPath, sb.ToString());
    }

    static string Line(int cls, int x, int y, int bw, int bh, int w, int h) => string.Create(CultureInfo.InvariantCulture,
        $"{cls} {(x + bw / 2.0) / w:F6} {(y + bh / 2.0) / h:F6} {bw / (double)w:F6} {bh / (double)h:F6}");
}
