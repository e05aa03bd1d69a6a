using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// The last <see cref="Capacity"/> loaded images, kept decoded and resized, first in first out. Ultralytics keeps its mosaic
/// buffer's images in RAM (BaseDataset.ims, released when they leave the buffer), so a mosaic decodes one image, not four;
/// this does the same for Forge's <see cref="MosaicBuffer"/>, whose entries are always among the most recent loads.
/// Thread-safe; callers get their own copy (a copy costs far less than a decode), so eviction never frees a Mat in use.
/// </summary>
public sealed class RecentImageCache : IDisposable
{
    readonly Dictionary<int, Mat> images = new();
    readonly Queue<int> order = new();

    public RecentImageCache(int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must hold at least one image");
        Capacity = capacity;
    }

    public int Capacity { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <summary>A copy of image <paramref name="index"/> (the caller disposes it), or null when it is not held.</summary>
    public Mat? TryGet(int index)
    {
        lock (images)
        {
            if (images.TryGetValue(index, out var m)) { Hits++; return m.Clone(); }
            Misses++;
            return null;
        }
    }

    /// <summary>Keeps a copy of <paramref name="image"/> (the caller keeps its own); the oldest entry leaves when full.</summary>
    public void Add(int index, Mat image)
    {
        lock (images)
        {
            if (images.ContainsKey(index)) return;
            images[index] = image.Clone();
            order.Enqueue(index);
            while (order.Count > Capacity)
                if (images.Remove(order.Dequeue(), out var old)) old.Dispose();
        }
    }

    public void Dispose()
    {
        lock (images)
        {
            foreach (var m in images.Values) m.Dispose();
            images.Clear();
            order.Clear();
        }
    }
}
