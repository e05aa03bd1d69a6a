namespace Forge.Models.Graph;

/// <summary>
/// The model yamls shipped inside Forge.Models as embedded resources (Definitions/yolov8.yaml, Definitions/yolo11.yaml),
/// written from Ultralytics' published architectures. <c>model=yolo11s</c> or <c>model=yolo11s.yaml</c> (no such file
/// on disk) selects <c>yolo11</c> at scale <c>s</c>, as Ultralytics' yaml_model_load does.
/// </summary>
public static class BuiltinModels
{
    /// <summary>Family names of the built-in definitions.</summary>
    public static readonly IReadOnlyList<string> Families = ["yolov8", "yolo11"];

    static readonly Lazy<IReadOnlyList<ModelYaml>> all = new(() => Families.Select(LoadResource).ToArray());

    public static ModelYaml YoloV8 => Get("yolov8");
    public static ModelYaml Yolo11 => Get("yolo11");

    /// <summary>The built-in definition of <paramref name="family"/>.</summary>
    /// <exception cref="ArgumentException">No such family.</exception>
    public static ModelYaml Get(string family) =>
        TryGet(family) ?? throw new ArgumentException($"no built-in model '{family}': use one of {string.Join(", ", Families)}");

    public static ModelYaml? TryGet(string family) =>
        all.Value.FirstOrDefault(y => y.Family.Equals(family, StringComparison.OrdinalIgnoreCase));

    /// <summary>The built-in definition with the same layers and scales as <paramref name="yaml"/>, if any.</summary>
    public static ModelYaml? Matching(ModelYaml yaml) => all.Value.FirstOrDefault(b => b.SameArchitecture(yaml));

    /// <summary>The yaml text of a built-in definition (what <c>forge</c> would read from yolov8.yaml).</summary>
    public static string Text(string family)
    {
        var name = $"Forge.Models.Definitions.{family}.yaml";
        using var stream = typeof(BuiltinModels).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"embedded resource {name} is missing from Forge.Models");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static ModelYaml LoadResource(string family) =>
        ModelYaml.Parse(Text(family), $"{family}.yaml (built-in)", family, $"{family}.yaml", builtInDefinition: true);
}
