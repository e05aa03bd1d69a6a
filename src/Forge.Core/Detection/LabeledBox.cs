using Forge.Core.Geometry;

namespace Forge.Core.Detection;

/// <summary>One ground-truth object: a corner box and its class id.</summary>
public readonly record struct LabeledBox(BoxF Box, int ClassId);
