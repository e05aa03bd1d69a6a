using Forge.Core.Numerics;
using Forge.Data.Datasets;

namespace Forge.Data.Loading;

/// <summary>
/// How a validation split is cut into batches, as Ultralytics' validation loader does. Rectangular (its default, rect=True):
/// images sorted by aspect ratio h/w (numpy's argsort, ties included), batches of <c>batchSize</c> in that order, and each
/// batch padded to [maxi, 1] or [1, 1/mini] of imgsz (or square when the batch mixes portrait and landscape), as
/// ceil(shape · imgsz / stride + pad) · stride with pad 0.5 (BaseDataset.set_rectangle). Square: dataset order, imgsz x imgsz.
/// <para>Training with rect=true plans its global batches with the same <see cref="Rect"/>, pad 0 (build_yolo_dataset gives
/// the train split pad=0.0), in the fixed <see cref="AspectOrder"/>.</para>
/// </summary>
public static class ValidationBatches
{
    /// <summary>Rectangular batches over all items of <paramref name="index"/>.</summary>
    public static List<PlannedBatch> Rect(DatasetIndex index, int imgsz, int batchSize, int stride = 32, double pad = 0.5)
    {
        Check(imgsz, batchSize, stride);
        int n = index.Count;
        var ar = AspectRatios(index);
        int[] order = NumpyArgsort.Argsort(ar);
        var batches = new List<PlannedBatch>((n + batchSize - 1) / batchSize);
        for (int start = 0; start < n; start += batchSize)
        {
            int[] members = order[start..Math.Min(n, start + batchSize)];
            double mini = double.MaxValue, maxi = double.MinValue;
            foreach (int m in members) { mini = Math.Min(mini, ar[m]); maxi = Math.Max(maxi, ar[m]); }
            double sh = 1, sw = 1;   // shape as (h, w) fractions of imgsz
            if (maxi < 1) sh = maxi;
            else if (mini > 1) sw = 1 / mini;
            batches.Add(new PlannedBatch(members, Side(sh, imgsz, stride, pad), Side(sw, imgsz, stride, pad)));
        }
        return batches;
    }

    /// <summary>The items of <paramref name="index"/> by aspect ratio h/w, ascending (numpy's argsort, ties included): the order of <see cref="Rect"/>'s batches.</summary>
    public static int[] AspectOrder(DatasetIndex index) => NumpyArgsort.Argsort(AspectRatios(index));

    static double[] AspectRatios(DatasetIndex index)
    {
        var ar = new double[index.Count];
        for (int i = 0; i < ar.Length; i++) ar[i] = (double)index.Items[i].Height / index.Items[i].Width;
        return ar;
    }

    /// <summary>numpy: np.ceil(shape * imgsz / stride + pad).astype(int) * stride, evaluated left to right in float64.</summary>
    static int Side(double fraction, int imgsz, int stride, double pad) => (int)Math.Ceiling(fraction * imgsz / stride + pad) * stride;

    /// <summary>Square imgsz batches in dataset order.</summary>
    public static List<PlannedBatch> Square(int count, int imgsz, int batchSize)
    {
        Check(imgsz, batchSize, 32);
        var batches = new List<PlannedBatch>();
        for (int start = 0; start < count; start += batchSize)
            batches.Add(new PlannedBatch(Enumerable.Range(start, Math.Min(batchSize, count - start)).ToArray(), imgsz, imgsz));
        return batches;
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s part of every batch when <paramref name="world"/> ranks validate together: a contiguous
    /// slice of each batch, so every image keeps the shape it has in a single process and the gathered results equal one
    /// process's. Empty slices are left out.
    /// </summary>
    public static List<PlannedBatch> Shard(IReadOnlyList<PlannedBatch> batches, int rank, int world)
    {
        if (world < 1 || rank < 0 || rank >= world) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {world}");
        if (world == 1) return batches.ToList();
        var mine = new List<PlannedBatch>(batches.Count);
        foreach (var b in batches)
        {
            int per = (b.Size + world - 1) / world;
            int start = Math.Min(b.Size, rank * per), end = Math.Min(b.Size, start + per);
            if (end > start) mine.Add(b with { Indices = b.Indices[start..end] });
        }
        return mine;
    }

    static void Check(int imgsz, int batchSize, int stride)
    {
        if (imgsz < 32) throw new ArgumentOutOfRangeException(nameof(imgsz), imgsz, "image size must be at least 32");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be positive");
    }
}
