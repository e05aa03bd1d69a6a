namespace Forge.Data.Datasets;

/// <summary>
/// A dataset described by a data.yaml: its root folder, the image sources of each split (absolute paths of folders,
/// .txt lists or image files) and the class names.
/// </summary>
public sealed record DatasetSpec(
    string YamlPath,
    string Root,
    IReadOnlyList<string> Train,
    IReadOnlyList<string> Val,
    IReadOnlyList<string> Test,
    string[] Names)
{
    public int NumClasses => Names.Length;
}
