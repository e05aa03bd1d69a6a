using System.Text.Json;
using System.Text.RegularExpressions;
using Forge.Core.Detection;
using Forge.Data.Datasets;
using Forge.Deploy;
using Forge.Training;
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
        Assert.Contains("op-sets 13 to 23", badOpset.Stderr);
        var badFormat = ForgeRun.Of("export", $"model={trained.BestWeights}", "format=tflite");
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Contains("use onnx", badFormat.Stderr);
    }

    [Fact]
    public void Val_with_the_onnx_file_gives_the_metrics_of_the_weights_file()
    {
        string onnx = ExportOnnx();
        string project = trained.NewFolder("val-onnx");
        var withWeights = ForgeRun.Of("val", $"model={trained.BestWeights}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1");
        var withOnnx = ForgeRun.Of("val", $"model={onnx}", $"data={trained.DataYaml}", $"project={project}", "plots=false", "workers=1");
        Assert.True(withOnnx.ExitCode == 0, withOnnx.ToString());
        Assert.Contains("ONNX Runtime", withOnnx.Stdout);
        Assert.Equal(AllRow.Match(withWeights.Stdout).Value, AllRow.Match(withOnnx.Stdout).Value);

        // The same comparison at full precision, through the library the commands use.
        var spec = DatasetResolver.Load(trained.DataYaml);
        var index = DatasetIndex.Build(spec.Val, spec.NumClasses, new DataIssueLog(TextWriter.Null), "val");
        var nms = new NmsOptions(0.001f, 0.7f, 300, MultiLabel: true);
        var (model, names) = ModelFactory.FromCheckpoint(trained.BestWeights);
        using var _ = model;
        using var detector = new OnnxDetector(onnx);
        var torchMetrics = new Validator(index, names, 64, 4, 1, TorchSharp.torch.CPU, nms).Run(model).Metrics;
        var onnxMetrics = new Validator(index, names, 64, 4, 1, TorchSharp.torch.CPU, nms).Run(detector).Metrics;
        output.WriteLine($"weights: mAP50 {torchMetrics.Map50:0.00000} mAP50-95 {torchMetrics.Map50To95:0.00000}; onnx: mAP50 {onnxMetrics.Map50:0.00000} mAP50-95 {onnxMetrics.Map50To95:0.00000}");
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
}
