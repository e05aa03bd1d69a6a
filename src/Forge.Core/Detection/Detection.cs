using Forge.Core.Geometry;

namespace Forge.Core.Detection;

/// <summary>One predicted object: a corner box, its confidence and its class id.</summary>
public readonly record struct Detection(BoxF Box, float Score, int ClassId);
