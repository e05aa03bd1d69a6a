using Forge.Export.Emitters;
using Forge.Models;
using Forge.Models.Graph;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export;

/// <summary>What an export wrote.</summary>
public sealed record OnnxExportResult(string Path, long Bytes, int Opset, int IrVersion, string InputShape, string OutputShape,
                                      IReadOnlyDictionary<string, int> OpCounts, IReadOnlyList<string> Notes);

/// <summary>
/// Exports a Forge detector to ONNX the way Ultralytics does: input <c>images</c> (B, 3, H, W) float RGB in [0, 1], output
/// <c>output0</c> (B, 4 + nc, anchors) with boxes as centre x, y, width, height in input pixels and class scores after the
/// sigmoid; Conv+BN fused; Ultralytics' metadata properties. The graph is built by walking the model's layer graph
/// (<see cref="YoloDetector.Layers"/>), each layer fed the outputs its 'from' names and written by the emitter for its module type.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "images", OutputName = "output0";

    /// <exception cref="ArgumentException">An option out of range.</exception>
    /// <exception cref="NotSupportedException">A module type with no emitter.</exception>
    public static OnnxExportResult Export(YoloDetector model, OnnxExportOptions options, ExportDescription description, string outputPath)
    {
        options.Validate();
        var notes = new List<string>();
        int stride = model.Strides.Max();
        var fitted = FitToStride(options, stride, notes);
        var graph = BuildGraph(model, fitted);
        var proto = new ModelProto
        {
            IrVersion = OnnxExportOptions.IrVersion(fitted.Opset),
            ProducerName = "forge",
            ProducerVersion = description.ProducerVersion,
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = fitted.Opset });
        foreach (var (k, v) in UltralyticsMetadata.Properties(description, fitted, stride, DateTime.Now))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        var bytes = proto.ToByteArray();
        Forge.Core.Serialization.AtomicFile.Write(outputPath, bytes);
        var input = graph.Graph.Input[0].Type.TensorType.Shape.Dim;
        var output = graph.Graph.Output[0].Type.TensorType.Shape.Dim;
        return new OnnxExportResult(Path.GetFullPath(outputPath), bytes.LongLength, fitted.Opset, (int)proto.IrVersion,
            Describe(input), Describe(output), graph.OpCounts, notes);
    }

    /// <summary>Ultralytics' check_imgsz: sizes that are not multiples of the largest stride are rounded up, with a note.</summary>
    static OnnxExportOptions FitToStride(OnnxExportOptions o, int stride, List<string> notes)
    {
        int Fit(int v) => (v + stride - 1) / stride * stride;
        int h = Fit(o.ImageHeight), w = Fit(o.ImageWidth);
        if (h != o.ImageHeight || w != o.ImageWidth)
            notes.Add($"imgsz={o.ImageHeight}x{o.ImageWidth} is not a multiple of the max stride {stride}: exported at {h}x{w}");
        return o with { ImageHeight = h, ImageWidth = w };
    }

    /// <summary>The graph of <paramref name="model"/> in eval mode, its weights unchanged.</summary>
    internal static OnnxGraphBuilder BuildGraph(YoloDetector model, OnnxExportOptions o)
    {
        var g = new OnnxGraphBuilder(o.Opset);
        var ctx = new EmitContext(g, ModuleEmitters.Default, new InputShape(o.ImageHeight, o.ImageWidth, o.Dynamic));
        using (no_grad())
        {
            // The detector's layer graph: layer i reads the outputs its Sources name (GraphLayer.Input: the images).
            var outputs = new string[model.Layers.Count];
            foreach (var layer in model.Layers)
            {
                var inputs = layer.Sources.Select(s => s == GraphLayer.Input ? InputName : outputs[s]).ToArray();
                outputs[layer.Index] = ctx.Emit(layer.Module, $"model.{layer.Index}", inputs);
            }
            g.RenameOutput(outputs[^1], OutputName);
        }
        object batch = o.Dynamic ? "batch" : o.Batch;
        g.Graph.Input.Add(OnnxGraphBuilder.FloatValue(InputName, batch, 3, o.Dynamic ? "height" : o.ImageHeight, o.Dynamic ? "width" : o.ImageWidth));
        object anchors = o.Dynamic ? "anchors" : Models.Geometry.AnchorGrid.CountFor(o.ImageHeight, o.ImageWidth, model.Strides);
        g.Graph.Output.Add(OnnxGraphBuilder.FloatValue(OutputName, batch, 4 + model.NumClasses, anchors));
        return g;
    }

    static string Describe(IEnumerable<TensorShapeProto.Types.Dimension> dims) =>
        "[" + string.Join(", ", dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString())) + "]";
}
