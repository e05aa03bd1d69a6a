using System.Text.Json;
using Forge.Data.Imaging;
using Forge.Synthetic;
using OpenCvSharp;

namespace Forge.Cli.Tests;

[Collection(TrainedModelCollection.Name)]
public sealed class PredictCommandTests(TrainedModelFixture trained)
{
    /// <summary>Images of sizes other than the training size, landscape and portrait, so boxes must be mapped back through the letterbox.</summary>
    string ImageFolder(out Dictionary<string, (int W, int H)> sizes)
    {
        string folder = trained.NewFolder("images");
        sizes = new Dictionary<string, (int, int)>();
        using var source = ValImage();
        foreach (var (name, w, h) in new[] { ("wide.jpg", 150, 90), ("tall.png", 60, 110), ("small.jpg", 40, 30) })
        {
            string path = Path.Combine(folder, name);
            using var resized = new Mat();
            Cv2.Resize(source, resized, new Size(w, h), 0, 0, InterpolationFlags.Area);
            ImageFile.Write(resized, path);
            sizes[path] = (w, h);
        }
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image; ignored in a folder");
        return folder;
    }

    Mat ValImage(int index = 0) =>
        ImageFile.Read(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(trained.DataYaml)!, "images", "val")).Order(StringComparer.Ordinal).ElementAt(index));

    static JsonElement[] ReadPredictions(string runFolder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "predictions.json")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public void Predict_on_a_folder_writes_annotated_images_and_predictions_json_with_boxes_inside_each_image()
    {
        string folder = ImageFolder(out var sizes);
        string project = trained.NewFolder("predict");
        // conf=0 makes even a barely trained model report boxes.
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={folder}", "conf=0.0", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        string output = Path.Combine(project, "p");
        Assert.Contains($"Results saved to {output}", run.Stdout);
        // Ultralytics' closing speed line (its figures and shape: PredictorBackendTests).
        Assert.Matches(@"Speed: \d+\.\dms preprocess, \d+\.\dms inference, \d+\.\dms postprocess per image at shape \(1, 3, \d+, \d+\)", run.Stdout);

        var entries = ReadPredictions(output);
        Assert.Equal(sizes.Keys.Order(StringComparer.Ordinal), entries.Select(e => e.GetProperty("image").GetString()!));
        int total = 0;
        foreach (var e in entries)
        {
            string image = e.GetProperty("image").GetString()!;
            var (w, h) = sizes[image];
            Assert.Equal(w, e.GetProperty("width").GetInt32());
            Assert.Equal(h, e.GetProperty("height").GetInt32());

            // The annotated copy: a JPEG of the original size, named after the image.
            string annotated = e.GetProperty("annotated").GetString()!;
            Assert.Equal(Path.Combine(output, Path.GetFileNameWithoutExtension(image) + ".jpg"), annotated);
            using var img = ImageFile.Read(annotated);
            Assert.Equal((w, h), (img.Width, img.Height));

            var dets = e.GetProperty("detections").EnumerateArray().ToArray();
            Assert.NotEmpty(dets);
            Assert.True(dets.Length <= 300);
            total += dets.Length;
            foreach (var d in dets)
            {
                int cls = d.GetProperty("class").GetInt32();
                Assert.InRange(cls, 0, 5);
                Assert.Equal(ShapesDataset.ClassNames[cls], d.GetProperty("name").GetString());
                Assert.InRange(d.GetProperty("confidence").GetDouble(), 0, 1);
                var box = d.GetProperty("box");
                double x1 = box.GetProperty("x1").GetDouble(), y1 = box.GetProperty("y1").GetDouble();
                double x2 = box.GetProperty("x2").GetDouble(), y2 = box.GetProperty("y2").GetDouble();
                Assert.True(0 <= x1 && x1 <= x2 && x2 <= w, $"{image}: x {x1}..{x2} outside 0..{w}");
                Assert.True(0 <= y1 && y1 <= y2 && y2 <= h, $"{image}: y {y1}..{y2} outside 0..{h}");
            }
            // Sorted by confidence, highest first.
            var conf = dets.Select(d => d.GetProperty("confidence").GetDouble()).ToArray();
            Assert.Equal(conf.OrderDescending(), conf);
        }
        Assert.Contains($"3 images, {total} detections.", run.Stdout);
        Assert.False(File.Exists(Path.Combine(output, "notes.jpg")));
    }

    [Fact]
    public void Predict_on_a_single_file_writes_one_result()
    {
        string folder = ImageFolder(out _);
        string image = Path.Combine(folder, "wide.jpg");
        string project = trained.NewFolder("predict-one");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={image}", "conf=0.0", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        var entries = ReadPredictions(Path.Combine(project, "p"));
        Assert.Single(entries);
        Assert.Equal(image, entries[0].GetProperty("image").GetString());
        Assert.Equal(["wide.jpg"], Directory.GetFiles(Path.Combine(project, "p"), "*.jpg").Select(Path.GetFileName));
    }

    [Fact]
    public void Predict_with_a_high_threshold_reports_no_boxes_but_still_writes_every_image()
    {
        string folder = ImageFolder(out _);
        string project = trained.NewFolder("predict-none");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={folder}", "conf=1.0", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        var entries = ReadPredictions(Path.Combine(project, "p"));
        Assert.Equal(3, entries.Length);
        Assert.All(entries, e => Assert.Empty(e.GetProperty("detections").EnumerateArray()));
        Assert.Contains("(no detections)", run.Stdout);
    }

    [Fact]
    public void A_missing_source_fails_naming_the_path()
    {
        string missing = Path.Combine(trained.NewFolder("empty"), "no-such-images");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={missing}", $"project={trained.NewFolder("p")}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(missing, run.Stderr);
        Assert.Contains("does not exist", run.Stderr);
    }

    [Fact]
    public void A_source_file_that_is_not_an_image_is_a_clear_error()
    {
        string notes = Path.Combine(trained.NewFolder("notes"), "notes.csv");
        File.WriteAllText(notes, "hello");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={notes}", $"project={trained.NewFolder("p")}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(notes, run.Stderr);
        Assert.Contains("no images or videos found", run.Stderr);
    }

    [Fact]
    public void An_unreadable_image_in_a_folder_is_skipped_with_a_message()
    {
        string folder = ImageFolder(out _);
        string broken = Path.Combine(folder, "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        string project = trained.NewFolder("predict-broken");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={folder}", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{broken}: skipped", run.Stdout);
        Assert.Equal(3, ReadPredictions(Path.Combine(project, "p")).Length);
    }

    [Fact]
    public void Predict_needs_a_source()
    {
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("source=", run.Stderr);
    }

    [Fact]
    public void Save_txt_with_save_conf_writes_yolo_labels_and_confidences_matching_the_json()
    {
        string folder = ImageFolder(out var sizes);
        string project = trained.NewFolder("predict-txt");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={folder}", "conf=0.0", "save_txt=true", "save_conf=true", "save=false", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        string output = Path.Combine(project, "p");
        Assert.Empty(Directory.GetFiles(output, "*.jpg"));   // save=false: no annotated images
        foreach (var e in ReadPredictions(output))
        {
            string image = e.GetProperty("image").GetString()!;
            var (w, h) = sizes[image];
            var dets = e.GetProperty("detections").EnumerateArray().ToArray();
            var lines = File.ReadAllLines(Path.Combine(output, "labels", Path.GetFileNameWithoutExtension(image) + ".txt"));
            Assert.Equal(dets.Length, lines.Length);
            for (int i = 0; i < lines.Length; i++)
            {
                var f = lines[i].Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(6, f.Length);
                Assert.Equal(dets[i].GetProperty("class").GetInt32(), (int)f[0]);
                var box = dets[i].GetProperty("box");
                Assert.Equal((box.GetProperty("x1").GetDouble() + box.GetProperty("x2").GetDouble()) / 2 / w, f[1], 2);
                Assert.Equal((box.GetProperty("y2").GetDouble() - box.GetProperty("y1").GetDouble()) / h, f[4], 2);
                Assert.All(f[1..5], v => Assert.InRange(v, 0, 1));
                Assert.Equal(dets[i].GetProperty("confidence").GetDouble(), f[5], 4);
            }
        }
    }

    [Fact]
    public void Save_txt_without_save_conf_writes_ultralytics_labels_that_read_back_as_training_labels()
    {
        string folder = ImageFolder(out _);
        string project = trained.NewFolder("predict-pseudo");
        var run = ForgeRun.Of("predict", $"model={trained.BestWeights}", $"source={folder}", "conf=0.0", "max_det=30", "save_txt=true", "save=false", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        int boxes = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(project, "p", "labels"), "*.txt"))
        {
            string text = File.ReadAllText(file);
            Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Equal(5, line.Split(' ').Length));
            var issues = new List<Forge.Data.Datasets.DataIssue>();
            var labels = Forge.Data.Datasets.LabelReader.Parse(text, file, 6, issues);
            // Every line is a valid training label (pseudo-labelling). The barely trained fixture model repeats some boxes exactly
            // (clipped to the image), which the reader merges as duplicates; nothing else may be reported.
            Assert.DoesNotContain(issues, i => i.Kind != Forge.Data.Datasets.DataIssueKind.DuplicateLabel);
            int duplicates = issues.Count;
            Assert.Equal(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, labels.Labels.Length + duplicates);
            boxes += labels.Labels.Length;
        }
        Assert.True(boxes > 0, run.ToString());
    }

    [Fact]
    public void Show_labels_show_conf_and_line_width_change_the_annotated_images()
    {
        string folder = ImageFolder(out _);
        string project = trained.NewFolder("predict-style");
        byte[] Annotated(string name, params string[] extra)
        {
            var run = ForgeRun.Of(["predict", $"model={trained.BestWeights}", $"source={folder}", "conf=0.0", "max_det=10", $"project={project}", $"name={name}", .. extra]);
            Assert.True(run.ExitCode == 0, run.ToString());
            return File.ReadAllBytes(Path.Combine(project, name, "wide.jpg"));
        }
        var plain = Annotated("default");
        Assert.Equal(plain, Annotated("again"));   // deterministic, so any difference below comes from the setting
        Assert.NotEqual(plain, Annotated("nolabels", "show_labels=false"));
        Assert.NotEqual(plain, Annotated("noconf", "show_conf=false"));
        Assert.NotEqual(plain, Annotated("thick", "line_width=6"));
        var style = new Forge.Training.Prediction.PredictionStyle(ShowConf: false);
        Assert.Equal("circle", style.Label("circle", 0.87f));
        Assert.Equal("circle 0.87", new Forge.Training.Prediction.PredictionStyle().Label("circle", 0.871f));
        Assert.Null(new Forge.Training.Prediction.PredictionStyle(ShowLabels: false).Label("circle", 0.87f));
    }

    [Fact]
    public void Classes_keeps_only_those_classes_in_what_predict_reports()
    {
        string folder = ImageFolder(out _);
        string project = trained.NewFolder("predict-classes");
        int[] Classes(string name, params string[] extra)
        {
            var run = ForgeRun.Of(["predict", $"model={trained.BestWeights}", $"source={folder}", "conf=0.0", "save=false", "save_txt=true", $"project={project}", $"name={name}", .. extra]);
            Assert.True(run.ExitCode == 0, run.ToString());
            var inJson = ReadPredictions(Path.Combine(project, name))
                .SelectMany(e => e.GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("class").GetInt32())).Order().ToArray();
            var inTxt = Directory.GetFiles(Path.Combine(project, name, "labels"), "*.txt").SelectMany(File.ReadAllLines)
                .Select(l => int.Parse(l.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
            Assert.Equal(inJson, inTxt);
            return inJson;
        }
        Assert.Contains(Classes("all"), c => c is not (0 or 2));   // so that classes= has something to remove
        var only = Classes("only", "classes=[0,2]");
        Assert.NotEmpty(only);
        Assert.All(only, c => Assert.True(c is 0 or 2, $"class {c} with classes=[0,2]"));
    }
}
