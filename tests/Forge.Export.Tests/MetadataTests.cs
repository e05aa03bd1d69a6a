using System.Text.RegularExpressions;
using Forge.Core.Serialization;
using Forge.Deploy;
using Forge.Models;
using Microsoft.ML.OnnxRuntime;

namespace Forge.Export.Tests;

/// <summary>The metadata properties are Ultralytics' keys with its value formats (Python str() of each value).</summary>
public sealed class MetadataTests
{
    static Dictionary<string, string> ExportAndRead(OnnxExportOptions options, string[] names)
    {
        using var model = TestModels.Random(ModelScale.N, names.Length, seed: 4);
        var path = TestModels.TempPath("meta.onnx");
        OnnxExporter.Export(model, options, new ExportDescription(names, "yolov8n", "shapes", "1.2.3"), path);
        using var session = new InferenceSession(path);
        return new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap);
    }

    [Fact]
    public void Keys_and_values_are_written_as_Ultralytics_writes_them()
    {
        var meta = ExportAndRead(new OnnxExportOptions { ImageHeight = 96, ImageWidth = 96, Batch = 2 }, ["circle", "it's", "\"q\""]);
        Assert.Equal(["args", "author", "batch", "channels", "date", "description", "docs", "end2end", "imgsz", "license", "names", "stride", "task", "version"],
                     meta.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Forge YOLOv8n model trained on shapes", meta["description"]);
        Assert.Equal("1.2.3", meta["version"]);
        Assert.Equal("32", meta["stride"]);
        Assert.Equal("detect", meta["task"]);
        Assert.Equal("2", meta["batch"]);
        Assert.Equal("[96, 96]", meta["imgsz"]);
        Assert.Equal("{0: 'circle', 1: \"it's\", 2: '\"q\"'}", meta["names"]);   // Python's repr picks the quotes
        Assert.Equal("{'batch': 2, 'half': False, 'dynamic': False, 'simplify': False, 'opset': 17, 'nms': False}", meta["args"]);
        Assert.Equal("3", meta["channels"]);
        Assert.Equal("False", meta["end2end"]);
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$"), meta["date"]);   // datetime.isoformat()
    }

    [Fact]
    public void A_dynamic_export_says_so_in_args_and_readers_recover_names_and_size()
    {
        var meta = ExportAndRead(new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Dynamic = true, Opset = 19 }, ["a", "b"]);
        var args = (Dictionary<object, object?>)PythonLiteral.Parse(meta["args"])!;
        Assert.Equal(true, args["dynamic"]);
        Assert.Equal(19L, args["opset"]);
        Assert.Equal(["a", "b"], PythonLiteral.ParseNames(meta["names"]));
        Assert.Equal([64L, 64], PythonLiteral.ParseIntList(meta["imgsz"]));
    }

    [Fact]
    public void The_deploy_library_reads_names_size_and_batch_back()
    {
        using var model = TestModels.Random(ModelScale.N, 3, seed: 4);
        var path = TestModels.TempPath("info.onnx");
        OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 96, ImageWidth = 96 }, TestModels.Description(3), path);
        using var detector = new OnnxDetector(path);
        Assert.Equal(["class0", "class1", "class2"], detector.Names);
        Assert.Equal((1, 96, 96), (detector.Info.Batch, detector.Info.Height, detector.Info.Width));
        Assert.Equal((96, 96), (detector.InputHeight, detector.InputWidth));
        Assert.Equal(("images", "output0"), (detector.Info.InputName, detector.Info.OutputName));
    }
}
