using System.Globalization;
using Forge.Core.Serialization;

namespace Forge.Export;

/// <summary>What the metadata says about an exported model besides its shape: class names, the model and data names, versions.</summary>
/// <param name="ModelName">Architecture name such as <c>yolov8n</c> (shown as YOLOv8n in the description).</param>
/// <param name="Data">The dataset the weights were trained on, when known.</param>
/// <param name="ProducerVersion">Forge's version.</param>
/// <param name="License">The weights' licence, when the user or the checkpoint states one.</param>
public sealed record ExportDescription(string[] Names, string ModelName, string? Data, string ProducerVersion, string? License = null);

/// <summary>
/// The ONNX <c>metadata_props</c> Ultralytics writes (engine/exporter.py: every value is Python's <c>str(v)</c>), with the same
/// keys and value formats, so consumers that read Ultralytics models (AutoBackend evaluates names, imgsz and args with
/// ast.literal_eval and stride and batch with int) read Forge's unchanged.
/// </summary>
public static class UltralyticsMetadata
{
    public const string Author = "Forge";
    public const string Docs = "Forge README.md, section 'Deploy with ONNX Runtime'";

    /// <param name="stride">The model's largest stride (32 for YOLOv8).</param>
    /// <param name="now">The export time (local), written like Python's datetime.isoformat().</param>
    public static List<KeyValuePair<string, string>> Properties(ExportDescription d, OnnxExportOptions o, int stride, DateTime now)
    {
        var names = new Dictionary<int, string>();
        for (int i = 0; i < d.Names.Length; i++) names[i] = d.Names[i];
        var args = new Dictionary<string, object?>
        {
            ["batch"] = o.Batch, ["half"] = false, ["dynamic"] = o.Dynamic, ["simplify"] = false, ["opset"] = o.Opset, ["nms"] = false,
        };
        var props = new List<(string, object)>
        {
            ("description", $"Forge {PrettyName(d.ModelName)} model {(string.IsNullOrEmpty(d.Data) ? "" : $"trained on {d.Data}")}"),
            ("author", Author),
            ("date", now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            ("version", d.ProducerVersion),
            ("license", d.License ?? "not stated (the licences of the training data and of any base weights apply)"),
            ("docs", Docs),
            ("stride", stride),
            ("task", "detect"),
            ("batch", o.Batch),
            ("imgsz", new[] { o.ImageHeight, o.ImageWidth }),
            ("names", names),
            ("args", args),
            ("channels", 3),
            ("end2end", false),
        };
        // str() of a str is the text itself; of anything else its literal.
        return props.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2 as string ?? PythonLiteral.Format(p.Item2))).ToList();
    }

    /// <summary>Ultralytics' pretty name: the yaml stem with 'yolo' written 'YOLO' (yolov8n → YOLOv8n).</summary>
    public static string PrettyName(string modelName) =>
        Path.GetFileNameWithoutExtension(modelName).Replace("yolo", "YOLO", StringComparison.Ordinal);
}
