namespace Forge.Data.Datasets;

/// <summary>What was wrong with a dataset file.</summary>
public enum DataIssueKind
{
    /// <summary>The image could not be read or decoded (missing, truncated, empty, a format OpenCV does not decode).</summary>
    CorruptImage,
    /// <summary>The label file exists but could not be read.</summary>
    UnreadableLabelFile,
    /// <summary>A label line does not have 5 values (or an odd number > 5 for a polygon).</summary>
    WrongFieldCount,
    /// <summary>A value is not a number, or is NaN/infinite.</summary>
    NotANumber,
    /// <summary>The class id is not an integer, negative, or not below the number of classes.</summary>
    BadClassId,
    /// <summary>Width or height is zero or negative.</summary>
    NonPositiveSize,
    /// <summary>The box lies partly (clipped) or with its centre (skipped) outside the image.</summary>
    OutOfBounds,
    /// <summary>The same class and box appear more than once in one file.</summary>
    DuplicateLabel,
    /// <summary>A segmentation polygon was turned into its bounding box.</summary>
    PolygonLabel,
    /// <summary>Every label line of the image was invalid: the image is left out rather than trained as a background.</summary>
    AllLabelsInvalid,
    /// <summary>A COCO annotation names a category the file's 'categories' do not list.</summary>
    UnknownCategory,
    /// <summary>A COCO image's width/height in the json differ from the decoded image's.</summary>
    SizeMismatch,
}

/// <summary>What was done about an issue.</summary>
public enum IssueAction { Fixed, Skipped }

/// <summary>One problem found in a dataset file. <see cref="Line"/> is 1-based; 0 means the whole file.</summary>
public sealed record DataIssue(DataIssueKind Kind, string File, int Line, string Message, IssueAction Action)
{
    public override string ToString() =>
        $"{File}{(Line > 0 ? $":{Line}" : "")}: {Message} ({(Action == IssueAction.Fixed ? "fixed" : "skipped")})";
}
