using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export;

/// <summary>One layer of a detector's layer list: its module and the layers it reads ('from', -1 = the previous layer).</summary>
public sealed record DetectorLayer(int Index, int[] From, nn.Module Module);

/// <summary>The layer list of a detector in Ultralytics' yaml form (layer i reads the outputs its 'from' names).</summary>
public static class DetectorLayers
{
    // yolov8.yaml: backbone 0-9, head 10-22 (Upsample, Concat with P4, C2f, ... Detect on P3, P4, P5).
    static readonly int[][] YoloV8From =
    [
        [-1], [-1], [-1], [-1], [-1], [-1], [-1], [-1], [-1], [-1],
        [-1], [-1, 6], [-1], [-1], [-1, 4], [-1], [-1], [-1, 12], [-1], [-1], [-1, 9], [-1], [15, 18, 21],
    ];

    public static IReadOnlyList<DetectorLayer> Of(YoloDetector model)
    {
        var list = model.named_children().FirstOrDefault(c => c.name == "model").module
                   ?? throw new InvalidOperationException("the detector has no 'model' layer list");
        var modules = list.named_children().Select(c => c.module).ToList();
        if (modules.Count != YoloV8From.Length)
            throw new NotSupportedException($"ONNX export: expected the {YoloV8From.Length} layers of YOLOv8, found {modules.Count}");
        return modules.Select((m, i) => new DetectorLayer(i, YoloV8From[i], m)).ToList();
    }
}
