using Forge.Core.Randomness;
using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Data.Loading;

/// <summary>
/// Turns an index into ready samples: loads an image with its long side at <see cref="ImageSize"/> (Ultralytics
/// load_image: cv2 decode, INTER_LINEAR resize to the ceil-rounded size, up or down), then applies the training pipeline
/// (augment) or the validation letterbox (no further enlarging, padded to the batch's shape). Thread-safe: samples may
/// be built concurrently, each from its own <see cref="DeterministicRandom"/>.
/// </summary>
public sealed class DetectionDataset : ILabeledImageSource
{
    readonly Mat?[]? _cache;
    readonly bool _cacheDisk;
    readonly TrainTransform? _train;
    MosaicBuffer? _mosaicBuffer;

    public DatasetIndex Index { get; }
    public int ImageSize { get; }
    public bool Augment { get; }
    public AugmentOptions Options { get; }
    public int Count => Index.Count;
    /// <summary>
    /// Where mosaic takes its extra images from: Ultralytics' buffer of recently loaded images (the trainer sets it from the
    /// global epoch order); null draws them uniformly from the whole dataset. Setting it (without cacheImages) also keeps the
    /// last Capacity + 32 loaded images in memory (<see cref="RecentImages"/>), as Ultralytics keeps its buffer's images,
    /// so a mosaic usually decodes only its own image.
    /// </summary>
    public MosaicBuffer? MosaicBuffer
    {
        get => _mosaicBuffer;
        set
        {
            _mosaicBuffer = value;
            bool cached = _cache is not null || Index.CacheImageSize == ImageSize;
            RecentImages = value is null || cached ? null : new RecentImageCache(value.Capacity + 32);
        }
    }

    /// <summary>The images kept for the mosaic buffer (null without one, or when every image is cached anyway).</summary>
    public RecentImageCache? RecentImages { get; private set; }

    /// <param name="cacheImages">Keep loaded images in memory after first use (unless the index already caches them at this size).</param>
    /// <param name="cacheDisk">cache=disk: decode each image once into a .npy file beside it and read that afterwards (<see cref="NpyImageCache"/>).</param>
    public DetectionDataset(DatasetIndex index, int imgsz, bool augment, AugmentOptions? aug = null, bool cacheImages = false, bool cacheDisk = false)
    {
        _cacheDisk = cacheDisk;
        if (imgsz < 32) throw new ArgumentOutOfRangeException(nameof(imgsz), imgsz, "image size must be at least 32");
        OpenCvRuntime.Ensure();
        Index = index;
        ImageSize = imgsz;
        Augment = augment;
        Options = aug ?? new AugmentOptions();
        if (augment) _train = new TrainTransform(imgsz, Options);
        if (cacheImages && index.CacheImageSize != imgsz) _cache = new Mat?[index.Count];
    }

    /// <summary>The loaded image of item <paramref name="index"/> (long side = image size) with boxes in its pixels; the caller disposes it.</summary>
    public LabeledImage Load(int index)
    {
        var item = Index.Items[index];
        var (image, shared) = LoadImage(index, item);
        float w = image.Width, h = image.Height;
        var boxes = new BoxF[item.Labels.Length];
        var classes = new int[item.Labels.Length];
        for (int i = 0; i < boxes.Length; i++)
        {
            // Ultralytics converts normalised xywh to xyxy first, then scales by the image size (in float32).
            var l = item.Labels[i];
            float hw = l.W / 2, hh = l.H / 2;
            boxes[i] = new BoxF((l.Cx - hw) * w, (l.Cy - hh) * h, (l.Cx + hw) * w, (l.Cy + hh) * h);
            classes[i] = l.ClassId;
        }
        return new LabeledImage(image, boxes, classes, ownsImage: !shared);
    }

    (Mat Image, bool Shared) LoadImage(int index, DatasetItem item)
    {
        if (Index.CacheImageSize == ImageSize && item.CachedImage is { } fromIndex) return (fromIndex, true);
        if (_cache is not null && Volatile.Read(ref _cache[index]) is { } cached) return (cached, true);
        var recent = RecentImages;
        if (recent?.TryGet(index) is { } kept) return (kept, false);
        var image = LongSideResize.Apply(_cacheDisk ? NpyImageCache.Read(item.ImagePath) : ImageFile.Read(item.ImagePath), ImageSize);
        var (expectW, expectH) = LongSideResize.SizeFor(item.Width, item.Height, ImageSize);
        if (image.Width != expectW || image.Height != expectH)
        {
            image.Dispose();
            throw new InvalidDataException($"{item.ImagePath}: the image changed since the dataset was indexed (it was {item.Width}x{item.Height})");
        }
        recent?.Add(index, image);
        if (_cache is null) return (image, false);
        // Two threads may race to fill the same slot; both computed the same pixels, so the first one stays and the other is dropped.
        var winner = Interlocked.CompareExchange(ref _cache[index], image, null);
        if (winner is null) return (image, true);
        image.Dispose();
        return (winner, true);
    }

    /// <summary>
    /// The finished sample <paramref name="index"/> for <paramref name="epoch"/> (the caller disposes it). With augmentation
    /// its randomness comes only from (seed, epoch, index) and it is ImageSize square, or <paramref name="width"/> x
    /// <paramref name="height"/> for a rect=true batch (mosaic off); <paramref name="mosaicEnabled"/> false is the
    /// close-mosaic phase. Without augmentation it is letterboxed to <paramref name="width"/> x <paramref name="height"/>
    /// (default square ImageSize), never enlarged beyond the loaded size, as Ultralytics' validation does.
    /// </summary>
    public LabeledSample GetSample(int index, int epoch, int seed, bool mosaicEnabled, int height = 0, int width = 0)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"dataset has {Count} items");
        var item = Index.Items[index];
        if (_train is not null)
        {
            float loadScale = (float)((double)ImageSize / Math.Max(item.Width, item.Height));
            var pool = mosaicEnabled && MosaicBuffer is { } buffer ? buffer.After(epoch, index) : default;
            var sample = _train.Apply(this, index, DeterministicRandom.ForSample(seed, epoch, index), mosaicEnabled, pool, height, width);
            return new LabeledSample(sample, new ImageInfo(item.ImagePath, item.Width, item.Height, loadScale, 0, 0));
        }
        using var loaded = Load(index);
        var boxed = Letterbox.Apply(loaded, width > 0 ? width : ImageSize, height > 0 ? height : ImageSize, scaleUp: false, out var lb);
        // Ultralytics maps validation boxes back with ratio_pad = (resized_h / h0, (left, top)): the loaded height's ratio.
        float gain = (float)((double)loaded.Height / item.Height * lb.Ratio);
        return new LabeledSample(boxed, new ImageInfo(item.ImagePath, item.Width, item.Height, gain, lb.PadLeft, lb.PadTop));
    }
}
