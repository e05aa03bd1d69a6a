namespace Forge.Data.Datasets;

/// <summary>One object of a label file: class id and centre/size normalised to the image (0..1), as YOLO label files store them.</summary>
public readonly record struct ObjectLabel(int ClassId, float Cx, float Cy, float W, float H);
