namespace Forge.Data.Datasets;

/// <summary>
/// A dataset described by a data.yaml: its root folder, the image sources of each split (absolute paths of folders,
/// .txt lists, image files or COCO .json annotation files) and the class names. <see cref="CocoImageFolders"/> holds
/// the image folder data.yaml named for a COCO json ({json: ..., images: ...}).
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

    public IReadOnlyDictionary<string, string> CocoImageFolders { get; init; } = new Dictionary<string, string>();

    /// <summary>The image folder named for a COCO json source, or null (then it is found by the usual COCO layouts).</summary>
    public string? CocoImagesFor(string jsonSource) => CocoImageFolders.TryGetValue(jsonSource, out var folder) ? folder : null;
}
