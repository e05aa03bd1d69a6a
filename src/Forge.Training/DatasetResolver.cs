using Forge.Data.Datasets;
using Forge.Synthetic;

namespace Forge.Training;

/// <summary>Turns the data= setting into a dataset spec: a data.yaml path, or the name of the embedded generated dataset.</summary>
public static class DatasetResolver
{
    public const string BuiltinShapes = "shapes";

    /// <summary>Where generated datasets live: $FORGE_DATASETS, else ./datasets.</summary>
    public static string DatasetsRoot =>
        Environment.GetEnvironmentVariable("FORGE_DATASETS") is { Length: > 0 } d ? d : Path.Combine(Environment.CurrentDirectory, "datasets");

    public static string ResolveYamlPath(string data)
    {
        if (data.Equals(BuiltinShapes, StringComparison.OrdinalIgnoreCase) || data.Equals(BuiltinShapes + ".yaml", StringComparison.OrdinalIgnoreCase))
        {
            if (File.Exists(data)) return Path.GetFullPath(data);
            return ShapesDataset.Ensure(DatasetsRoot);
        }
        if (Directory.Exists(data) && File.Exists(Path.Combine(data, "data.yaml"))) return Path.GetFullPath(Path.Combine(data, "data.yaml"));
        if (!File.Exists(data))
            throw new FileNotFoundException($"data={data}: no such file. Give a data.yaml path (Ultralytics format) or data={BuiltinShapes} for the embedded dataset.", data);
        return Path.GetFullPath(data);
    }

    public static DatasetSpec Load(string data) => DataYaml.Load(ResolveYamlPath(data));
}
