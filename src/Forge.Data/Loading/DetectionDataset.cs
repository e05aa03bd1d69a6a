using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Imaging;

namespace Forge.Data.Loading;

/// <summary>
/// Turns an index into ready samples: loads an image with its long side at <see cref="ImageSize"/> (Ultralytics
/// load_image), then applies the training pipeline (augment) or the validation letterbox. Thread-safe: samples may
/// be built concurrently, each from its own <see cref="DeterministicRandom"/>.
/// </summary>
public sealed class DetectionDataset : ILabeledImageSource
{
    readonly RgbImage?[]? _cache;
    readonly TrainTransform? _train;
    readonly ValTransform _val;

    public DatasetIndex Index { get; }
    public int ImageSize { get; }
    public bool Augment { get; }
    public AugmentOptions Options { get; }
    public int Count => Index.Count;

    /// <param name="cacheImages">Keep loaded images in memory after first use (unless the index already caches them at this size).</param>
    public DetectionDataset(DatasetIndex index, int imgsz, bool augment, AugmentOptions? aug = null, bool cacheImages = false)
    {
        Index = index;
        ImageSize = imgsz;
        Augment = augment;
        Options = aug ?? new AugmentOptions();
        _val = new ValTransform(imgsz);
        if (augment) _train = new TrainTransform(imgsz, Options);
        if (cacheImages && index.CacheImageSize != imgsz) _cache = new RgbImage?[index.Count];
    }

    /// <summary>The loaded image of item <paramref name="index"/> (long side = image size) with boxes in its pixels. Do not modify the image.</summary>
    public LabeledImage Load(int index)
    {
        var item = Index.Items[index];
        var image = LoadImage(index, item);
        float w = image.Width, h = image.Height;
        var boxes = new BoxF[item.Labels.Length];
        var classes = new int[item.Labels.Length];
        for (int i = 0; i < boxes.Length; i++)
        {
            var l = item.Labels[i];
            boxes[i] = BoxF.FromCenter(l.Cx * w, l.Cy * h, l.W * w, l.H * h);
            classes[i] = l.ClassId;
        }
        return new LabeledImage(image, boxes, classes);
    }

    RgbImage LoadImage(int index, DatasetItem item)
    {
        if (Index.CacheImageSize == ImageSize && item.CachedImage is { } fromIndex) return fromIndex;
        if (_cache is not null && Volatile.Read(ref _cache[index]) is { } cached) return cached;
        var decoded = ImageCodec.Decode(item.ImagePath);
        var (w, h) = Resize.LongSideSize(decoded.Width, decoded.Height, ImageSize);
        var image = w == decoded.Width && h == decoded.Height ? decoded : Resize.To(decoded, w, h);
        // Two threads may race to fill the same slot; both computed the same pixels, so either wins.
        if (_cache is not null) Volatile.Write(ref _cache[index], image);
        return image;
    }

    /// <summary>
    /// The finished sample <paramref name="index"/> for <paramref name="epoch"/>. With augmentation its randomness
    /// comes only from (seed, epoch, index); <paramref name="mosaicEnabled"/> false is the close-mosaic phase.
    /// </summary>
    public LabeledSample GetSample(int index, int epoch, int seed, bool mosaicEnabled)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"dataset has {Count} items");
        var item = Index.Items[index];
        float loadScale = (float)((double)ImageSize / Math.Max(item.Width, item.Height));
        if (_train is not null)
        {
            var sample = _train.Apply(this, index, DeterministicRandom.ForSample(seed, epoch, index), mosaicEnabled);
            return new LabeledSample(sample, new ImageInfo(item.ImagePath, item.Width, item.Height, loadScale, 0, 0));
        }
        var boxed = _val.Apply(Load(index), out var lb);
        return new LabeledSample(boxed, new ImageInfo(item.ImagePath, item.Width, item.Height, loadScale * lb.Scale, lb.PadX, lb.PadY));
    }
}
