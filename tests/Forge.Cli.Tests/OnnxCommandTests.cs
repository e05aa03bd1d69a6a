using System.Text.Json;
using System.Text.RegularExpressions;
using Forge.Core.Detection;
using Forge.Data.Datasets;
using Forge.Deploy;
using Forge.Training;
using Forge.Training.Tests.Integration;
using Forge.Training.Validation;
using Xunit.Abstractions;

namespace Forge.Cli.Tests;

/// <summary>forge export format=onnx, then val and predict with model=best.onnx through ONNX Runtime.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class OnnxCommandTests(TrainedModelFixture trained, ITestOutputHelper output)
{
    static readonly Regex AllRow = new(@"^\s+all\s+.*$", RegexOptions.Multiline);

    /// <summary>The fixture's best weights exported once per test (each in its own folder, so tests may run in any order).</summary>
    string ExportOnnx(params string[] settings)
    {
        string folder = trained.NewFolder("onnx");
        string weights = Path.Combine(folder, "best.safetensors");
        File.Copy(trained.BestWeights, weights);
        var run = ForgeRun.Of(["export", $"model={weights}", "format=onnx", .. settings]);
        Assert.True(run.ExitCode == 0, run.ToString());
        output.WriteLine(run.Stdout);
        Assert.Contains("ONNX Runtime check: ", run.Stdout);
        return Path.Combine(folder, "best.onnx");
    }

    [Fact]
    public void Export_writes_best_onnx_at_the_training_size_and_checks_it_with_ONNX_Runtime()
    {
        string onnx = ExportOnnx();
        Assert.True(File.Exists(onnx));
        using var detector = new OnnxDetector(onnx);
        Assert.Equal((1, 64, 64), (detector.Info.Batch, detector.Info.Height, detector.Info.Width));   // trained at imgsz=64
        Assert.Equal(6, detector.NumClasses);
        Assert.Equal("[64, 64]", detector.Info.Metadata["imgsz"]);
    }

    [Fact]
    public void Export_settings_reach_the_file_and_bad_ones_are_usage_errors()
    {
        string onnx = ExportOnnx("imgsz=96", "dynamic=true", "opset=19", "batch=4");
        using var detector = new OnnxDetector(onnx);
        Assert.Null(detector.Info.Batch);
        Assert.True(detector.Info.DynamicSize);
        Assert.Equal("[96, 96]", detector.Info.Metadata["imgsz"]);
        Assert.Contains("'dynamic': True, 'simplify': False, 'opset': 19", detector.Info.Metadata["args"]);

        var badOpset = ForgeRun.Of("export", $"model={trained.BestWeights}", "format=onnx", "opset=9");
        Assert.Equal(2, badOpset.ExitCode);
        Assert.Contains("forge: error: opset=9: must be in [13, 23]", badOpset.Stderr);
        var badFormat = ForgeRun.Of("export", $"model={trained.BestWeights}", "format=tflite");
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Contains("forge: error: format=tflite: must be one of onnx, safetensors", badFormat.Stderr);
    }

    [Fact]
    public void Val_with_a_fixed_size_onnx_file_runs_square_batches_and_gives_the_weights_rect_false_metrics()
    {
        string onnx = ExportOnnx();
        string project = trained.NewFolder("val-onnx");
        var withWeights = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1", "rect=false");
        var withOnnx = ForgeRun.Of("val", $"model={onnx}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1");
        Assert.True(withOnnx.ExitCode == 0, withOnnx.ToString());
        Assert.Contains("ONNX Runtime", withOnnx.Stdout);
        Assert.Contains("exported with a fixed 64x64 input: validating with square 64x64 batches (rect=false)", withOnnx.Stdout);
        Assert.Equal(AllRow.Match(withWeights.Stdout).Value, AllRow.Match(withOnnx.Stdout).Value);
        AssertSameMetrics(onnx, rect: false);
    }

    [Fact]
    public void Val_with_a_dynamic_onnx_file_runs_the_rectangular_batches_of_the_weights()
    {
        string onnx = ExportOnnx("dynamic=true");
        string project = trained.NewFolder("val-onnx-dynamic");
        var withWeights = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1");
        var withOnnx = ForgeRun.Of("val", $"model={onnx}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1");
        Assert.True(withOnnx.ExitCode == 0, withOnnx.ToString());
        Assert.DoesNotContain("rect=false", withOnnx.Stdout);
        Assert.Equal(AllRow.Match(withWeights.Stdout).Value, AllRow.Match(withOnnx.Stdout).Value);
        AssertSameMetrics(onnx, rect: true);
    }

    /// <summary>The weights and the ONNX file through the library the commands use, at full precision.</summary>
    void AssertSameMetrics(string onnx, bool rect)
    {
        var spec = DatasetResolver.Load(trained.DataYaml);
        var index = TinyDatasets.ValIndex(spec);
        var nms = new NmsOptions(0.001f, 0.7f, 300, MultiLabel: true);
        var (model, names) = ModelFactory.FromCheckpoint(trained.BestWeights);
        using var _ = model;
        using var detector = new OnnxDetector(onnx);
        Validator New() => new(index, names, 64, 4, 1, TorchSharp.torch.CPU, nms, rect: rect);
        var torchMetrics = New().Run(model).Metrics;
        var onnxMetrics = New().Run(detector).Metrics;
        output.WriteLine($"rect={rect}: weights mAP50 {torchMetrics.Map50:0.00000} mAP50-95 {torchMetrics.Map50To95:0.00000}; onnx: mAP50 {onnxMetrics.Map50:0.00000} mAP50-95 {onnxMetrics.Map50To95:0.00000}");
        Assert.Equal(torchMetrics.Map50, onnxMetrics.Map50, 0.0005);
        Assert.Equal(torchMetrics.Map50To95, onnxMetrics.Map50To95, 0.0005);
    }

    [Fact]
    public void Predict_with_the_onnx_file_writes_the_same_outputs_as_with_the_weights()
    {
        string onnx = ExportOnnx();
        string images = Path.Combine(Path.GetDirectoryName(trained.DataYaml)!, "images", "val");
        string project = trained.NewFolder("predict-onnx");
        var run = ForgeRun.Of("predict", $"model={onnx}", $"source={images}", "conf=0.0", "max_det=5", $"project={project}", "name=p");
        Assert.True(run.ExitCode == 0, run.ToString());
        // threads=0 is given to ONNX Runtime as a count (every core), not as 0 (its own pinned default).
        int cores = Environment.ProcessorCount;
        Assert.Contains($"x64x64, {cores} intra-op thread{(cores == 1 ? "" : "s")}", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "p", "predictions.json")));
        var entries = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(Directory.GetFiles(images).Length, entries.Length);
        foreach (var e in entries)
        {
            var dets = e.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(5, dets.Length);   // conf=0: every image reports max_det boxes
            int w = e.GetProperty("width").GetInt32(), h = e.GetProperty("height").GetInt32();
            foreach (var d in dets)
            {
                var box = d.GetProperty("box");
                Assert.InRange(box.GetProperty("x1").GetDouble(), 0, w);
                Assert.InRange(box.GetProperty("y2").GetDouble(), 0, h);
            }
            Assert.True(File.Exists(e.GetProperty("annotated").GetString()));
        }
        var wrongSize = ForgeRun.Of("predict", $"model={onnx}", $"source={images}", "imgsz=128", $"project={project}");
        Assert.Equal(2, wrongSize.ExitCode);
        Assert.Contains("was exported for 64x64 images", wrongSize.Stderr);
    }

    /// <summary>
    /// A video through a dynamic export: the predictor's minimal-padding letterbox (128x64 frames at imgsz 64 give 64x32
    /// inputs: 8x4 + 4x2 + 2x1 = 42 anchors), frame by frame, the same boxes as the weights file (ONNX Runtime and TorchSharp
    /// differ by float32 rounding). The one-epoch fixture model only scores about 1e-3, so with NMS at iou=0.7 near-equal
    /// garbage boxes sit on the IoU threshold and one runtime keeps a box the other drops (measured: 10 vs 9 boxes);
    /// conf=0 iou=1.0 keeps every anchor's best class, which compares all 42 without that knife edge.
    /// </summary>
    [Fact]
    public void Predict_a_video_with_a_dynamic_onnx_file_gives_the_weights_boxes_frame_by_frame()
    {
        string onnx = ExportOnnx("dynamic=true");
        string folder = trained.NewFolder("onnx-video");
        string video = Path.Combine(folder, "clip.avi");
        var stills = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(trained.DataYaml)!, "images", "val")).Order(StringComparer.Ordinal).ToArray();
        using (var writer = new OpenCvSharp.VideoWriter(video, OpenCvSharp.FourCC.MJPG, 10, new OpenCvSharp.Size(128, 64)))
        {
            Assert.True(writer.IsOpened());
            for (int i = 0; i < 5; i++)
            {
                using var still = Forge.Data.Imaging.ImageFile.Read(stills[i % stills.Length]);
                using var frame = new OpenCvSharp.Mat();
                OpenCvSharp.Cv2.Resize(still, frame, new OpenCvSharp.Size(128, 64));
                writer.Write(frame);
            }
        }
        string project = trained.NewFolder("predict-onnx-video");
        var runs = new[] { onnx, trained.BestWeights }.Select((model, i) =>
            ForgeRun.Of("predict", $"model={model}", $"source={video}", "conf=0.0", "iou=1.0", $"project={project}", $"name=r{i}")).ToArray();
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains("0 images, 5 video frames", runs[0].Stdout);
        Assert.True(File.Exists(Path.Combine(project, "r0", "clip.avi")));
        var frames = runs.Select((_, i) => ReadFrames(Path.Combine(project, $"r{i}", "predictions.json"))).ToArray();
        Assert.Equal(5, frames[0].Length);
        for (int f = 0; f < 5; f++)
        {
            var (ort, torch) = (frames[0][f], frames[1][f]);
            Assert.Equal(42, ort.Length);
            Assert.Equal(42, torch.Length);
            // Near-equal scores may swap places: match each ONNX box to a weights box. predictions.json rounds scores to
            // 5 decimals and boxes to 2, so two values a float32 rounding apart may print one step apart.
            foreach (var d in ort)
                Assert.Contains(torch, t => t.Class == d.Class && Math.Abs(t.Score - d.Score) <= 1.5e-5 &&
                                            t.Box.Zip(d.Box).All(p => Math.Abs(p.First - p.Second) <= 0.015));
        }
    }

    static (int Class, double Score, double[] Box)[][] ReadFrames(string predictionsJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(predictionsJson));
        return doc.RootElement.EnumerateArray().OrderBy(e => e.GetProperty("frame").GetInt32()).Select(e =>
            e.GetProperty("detections").EnumerateArray().Select(d =>
            {
                var b = d.GetProperty("box");
                return (d.GetProperty("class").GetInt32(), d.GetProperty("confidence").GetDouble(),
                        new[] { b.GetProperty("x1").GetDouble(), b.GetProperty("y1").GetDouble(), b.GetProperty("x2").GetDouble(), b.GetProperty("y2").GetDouble() });
            }).ToArray()).ToArray();
    }
}
