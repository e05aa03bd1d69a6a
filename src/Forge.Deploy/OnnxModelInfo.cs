using Forge.Core.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace Forge.Deploy;

/// <summary>
/// What a detector's ONNX file says about itself: input size and batch (fixed, or null where the axis is dynamic), class
/// names and the other metadata Ultralytics writes (values are Python literals: names "{0: 'person', ...}", imgsz "[640, 640]").
/// </summary>
public sealed record OnnxModelInfo(string InputName, string OutputName, int? Batch, int? Height, int? Width, string[] Names,
                                   int Stride, int[]? MetadataImageSize, IReadOnlyDictionary<string, string> Metadata)
{
    public int NumClasses => Names.Length;
    public bool DynamicSize => Height is null || Width is null;

    /// <exception cref="InvalidDataException">Not a detector in Ultralytics' layout (one input (B, 3, H, W), one output (B, 4 + nc, A)).</exception>
    public static OnnxModelInfo Read(InferenceSession session, string path)
    {
        if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count < 1)
            throw new InvalidDataException($"{path}: expected one input and an output, found {session.InputMetadata.Count} inputs and {session.OutputMetadata.Count} outputs");
        var (inputName, input) = session.InputMetadata.First();
        var (outputName, output) = session.OutputMetadata.First();
        var inDims = input.Dimensions;
        var outDims = output.Dimensions;
        if (inDims.Length != 4 || (inDims[1] > 0 && inDims[1] != 3) || input.ElementType != typeof(float))
            throw new InvalidDataException($"{path}: input {inputName} is [{string.Join(", ", inDims)}] {input.ElementType.Name}; a detector takes float [B, 3, H, W]");
        if (outDims.Length != 3 || output.ElementType != typeof(float))
            throw new InvalidDataException($"{path}: output {outputName} is [{string.Join(", ", outDims)}]; a detector in Ultralytics' layout gives float [B, 4 + classes, anchors]");
        var meta = session.ModelMetadata.CustomMetadataMap;
        int? Fixed(int d) => d > 0 ? d : null;
        int channels = outDims[1];
        var names = meta.TryGetValue("names", out var n) ? Parse(path, "names", () => PythonLiteral.ParseNames(n))
                  : channels > 4 ? Enumerable.Range(0, channels - 4).Select(i => $"class{i}").ToArray()
                  : throw new InvalidDataException($"{path}: no 'names' metadata and no fixed class count in {outputName}");
        if (channels > 0 && channels != 4 + names.Length)
            throw new InvalidDataException($"{path}: {outputName} has {channels} rows but the metadata names {names.Length} classes (expected 4 + classes)");
        int stride = meta.TryGetValue("stride", out var s) && int.TryParse(s, out int st) ? st : 32;
        int[]? imgsz = meta.TryGetValue("imgsz", out var z) ? Parse(path, "imgsz", () => PythonLiteral.ParseIntList(z).Select(v => (int)v).ToArray()) : null;
        return new OnnxModelInfo(inputName, outputName, Fixed(inDims[0]), Fixed(inDims[2]), Fixed(inDims[3]), names, stride, imgsz,
                                 new Dictionary<string, string>(meta));
    }

    static T Parse<T>(string path, string key, Func<T> parse)
    {
        try { return parse(); }
        catch (FormatException e) { throw new InvalidDataException($"{path}: metadata '{key}': {e.Message}", e); }
    }
}
