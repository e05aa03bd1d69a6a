using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Geometry;

/// <summary>Anchor points (cell centres, in grid units of their level) and the stride of each anchor, for one input size.</summary>
public sealed class AnchorGrid : IDisposable
{
    /// <summary>(anchors, 2): x, y of each cell centre in its level's grid units (cell index + 0.5).</summary>
    public Tensor Points { get; }
    /// <summary>(anchors, 1): the stride of each anchor's level, in pixels.</summary>
    public Tensor StrideTensor { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }

    public AnchorGrid(int imageHeight, int imageWidth, IReadOnlyList<int> strides, Device? device = null)
    {
        Height = imageHeight;
        Width = imageWidth;
        using var scope = NewDisposeScope();
        var points = new List<Tensor>();
        var strideParts = new List<Tensor>();
        foreach (int s in strides)
        {
            int h = (int)Math.Ceiling(imageHeight / (double)s), w = (int)Math.Ceiling(imageWidth / (double)s);
            var sx = HeldScalars.Arange(w, ScalarType.Float32, device).Plus(0.5);   // held Scalars (HeldScalars)
            var sy = HeldScalars.Arange(h, ScalarType.Float32, device).Plus(0.5);
            var grid = meshgrid([sy, sx], indexing: "ij");
            points.Add(stack([grid[1], grid[0]], -1).view(-1, 2));
            strideParts.Add(HeldScalars.Full([h * w, 1], s, ScalarType.Float32, device));
            Count += h * w;
        }
        // Cached for the life of the model: never owned by whatever dispose scope the first caller had open.
        Points = cat(points, 0).DetachFromDisposeScope();
        StrideTensor = cat(strideParts, 0).DetachFromDisposeScope();
    }

    /// <summary>Number of anchors for an input size, without building tensors.</summary>
    public static int CountFor(int imageHeight, int imageWidth, IReadOnlyList<int> strides)
    {
        int n = 0;
        foreach (int s in strides) n += (int)Math.Ceiling(imageHeight / (double)s) * (int)Math.Ceiling(imageWidth / (double)s);
        return n;
    }

    public void Dispose()
    {
        Points.Dispose();
        StrideTensor.Dispose();
    }
}
