using Forge.Core.Detection;
using Forge.Core.Geometry;

namespace Forge.Data.Datasets;

/// <summary>
/// The labels found for one image: their state, the kept objects, where they came from (label file or COCO json),
/// the text fingerprinted for resume checks, and for COCO the exact pixel boxes and the iscrowd regions.
/// </summary>
internal sealed record LabelSet(LabelFileState State, ObjectLabel[] Labels, string Source, string? Text, BoxF[]? PixelBoxes, LabeledBox[] Crowd);
