namespace Forge.Export.Emitters;

/// <summary>Input image size of an exported graph: fixed Height x Width, or dynamic (any multiple of the max stride at run time).</summary>
internal readonly record struct InputShape(int Height, int Width, bool Dynamic);
