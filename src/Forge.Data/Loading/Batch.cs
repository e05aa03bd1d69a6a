namespace Forge.Data.Loading;

/// <summary>
/// A batch in the trainer's layout. <see cref="Images"/>: Size x 3 x Height x Width bytes (RGB planes, pixel values
/// 0..255, as Ultralytics collates them; <c>Forge.Training.BatchTensors.Images</c> makes the [0, 1] floats on the device).
/// <see cref="Targets"/>: TargetCount rows of (batchIndex, classId, cx, cy, w, h), box values normalised to
/// Width/Height. Dispose the batch once its data is copied (into tensors) to let the loader reuse the image array;
/// a batch that is never disposed is simply garbage collected.
/// </summary>
public sealed class Batch : IDisposable
{
    readonly ExactArrayPool<byte>? _pool;
    byte[]? _images;

    /// <summary>Position of this batch within its epoch.</summary>
    public int Index { get; }
    public int Size { get; }
    public int Height { get; }
    public int Width { get; }
    public byte[] Images => _images ?? throw new ObjectDisposedException(nameof(Batch), "the batch was disposed and its image array handed back for reuse");
    public float[] Targets { get; }
    public int TargetCount => Targets.Length / 6;
    public ImageInfo[] Infos { get; }

    public Batch(int index, int size, int height, int width, byte[] images, float[] targets, ImageInfo[] infos, ExactArrayPool<byte>? pool = null)
    {
        if (images.Length != size * 3 * height * width)
            throw new ArgumentException($"images has {images.Length} bytes, expected {size}x3x{height}x{width}");
        if (targets.Length % 6 != 0) throw new ArgumentException($"targets has {targets.Length} floats, not a multiple of 6");
        if (infos.Length != size) throw new ArgumentException($"{infos.Length} infos for {size} images");
        Index = index;
        Size = size;
        Height = height;
        Width = width;
        _images = images;
        Targets = targets;
        Infos = infos;
        _pool = pool;
    }

    public void Dispose()
    {
        var images = Interlocked.Exchange(ref _images, null);
        if (images is not null) _pool?.Return(images);
    }
}
