using Forge.Deploy;
using Forge.Training;

namespace Forge.Export.Tests;

/// <summary>The COCO-trained YOLOv8n of the shared fixtures exports in Ultralytics' layout.</summary>
public sealed class FixtureExportTests
{
    [SharedFixtureFact]
    public void Coco_yolov8n_exports_output0_of_shape_1_84_8400_at_640()
    {
        var (model, names) = ModelFactory.FromCheckpoint(SharedFixtures.Yolov8nCoco!);
        using var _ = model;
        var path = TestModels.TempPath("yolov8n-coco.onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions(), new ExportDescription(names, "yolov8n", "coco128.yaml", "test"), path);
        Assert.Equal("[1, 3, 640, 640]", result.InputShape);
        Assert.Equal("[1, 84, 8400]", result.OutputShape);
        using var onnx = new OnnxDetector(path);
        Assert.Equal(80, onnx.NumClasses);
        Assert.Equal("person", onnx.Names[0]);
        var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(1, 640, 640, seed: 5), 1, 640, 640);
        Assert.Equal([1L, 84, 8400], parity.Shape);
        Assert.True(parity.Within(1e-4), parity.ToString());
    }
}
