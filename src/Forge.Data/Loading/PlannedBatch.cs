namespace Forge.Data.Loading;

/// <summary>A batch to build: dataset indices in slot order, and the shape (pixels) every one of its images is letterboxed to.</summary>
public sealed record PlannedBatch(int[] Indices, int Height, int Width)
{
    public int Size => Indices.Length;
}
