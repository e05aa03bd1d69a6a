using Forge.Core.Randomness;
using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// The per-sample training pipeline of Ultralytics v8 (v8_transforms): mosaic (probability Mosaic) + affine with border
/// -s/2, or load + letterbox (scale up allowed) + affine; then MixUp (probability MixUp, only while mosaic is enabled),
/// HSV, up-down flip, left-right flip. With rect=true the letterbox goes to the batch's rectangle instead of s x s
/// (Ultralytics' LetterBox takes the label's rect_shape) and mosaic and mixup are off. Every random choice, including mosaic's extra images, comes from the sample's own
/// <see cref="DeterministicRandom"/>, so a sample is reproducible from (seed, epoch, index) and the mosaic buffer alone.
/// </summary>
public sealed class TrainTransform
{
    // The mosaic canvas lives only until the affine warp has read it, so each thread can keep reusing one.
    [ThreadStatic] static Mat? t_canvas;

    public int ImageSize { get; }
    public AugmentOptions Options { get; }

    public TrainTransform(int imageSize, AugmentOptions options)
    {
        if (imageSize < 32) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "image size must be at least 32");
        options.Validate();
        ImageSize = imageSize;
        Options = options;
    }

    /// <summary>
    /// Builds the augmented s x s sample for item <paramref name="index"/> (the caller disposes it);
    /// <paramref name="mosaicEnabled"/> false is Ultralytics' close_mosaic phase. Mosaic's three extra images are drawn
    /// uniformly, with replacement, from <paramref name="mosaicPool"/> (Ultralytics' buffer of recently loaded images, see
    /// <see cref="MosaicBuffer"/>), or from the whole source when the pool is empty. <paramref name="height"/> and
    /// <paramref name="width"/> (pixels; 0 = s) are a rect=true batch's shape: the sample is letterboxed to it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Mosaic with a non-square shape (rect and mosaic exclude each other: pass mosaicEnabled false).</exception>
    public LabeledImage Apply(ILabeledImageSource source, int index, DeterministicRandom rng, bool mosaicEnabled,
        ArraySegment<int> mosaicPool = default, int height = 0, int width = 0)
    {
        int h = height > 0 ? height : ImageSize, w = width > 0 ? width : ImageSize;
        if (mosaicEnabled && Options.Mosaic > 0 && (h != ImageSize || w != ImageSize))
            throw new InvalidOperationException($"mosaic builds {ImageSize}x{ImageSize} samples, not {w}x{h}: rectangular batches need mosaic off");
        var sample = Geometric(source, index, rng, mosaicEnabled, mosaicPool, h, w);
        if (mosaicEnabled && Options.MixUp > 0 && rng.Chance(Options.MixUp))
        {
            using var first = sample;
            // MixUp's partner comes from the whole dataset (MixUp.get_indexes: random.randint), its mosaic from the same pool.
            using var other = Geometric(source, rng.NextInt(source.Count), rng, mosaicEnabled, mosaicPool, h, w);
            sample = MixUp.Blend(first, other, rng.NextBeta(32.0, 32.0));
        }
        try
        {
            // The sample owns its image from here on (warp and blend make new ones), so edit in place.
            HsvAugment.Apply(sample.Image, Options.HsvH, Options.HsvS, Options.HsvV, rng);
            if (rng.Chance(Options.FlipUd)) RandomFlip.FlipUd(sample);
            if (rng.Chance(Options.FlipLr)) RandomFlip.FlipLr(sample);
            return sample;
        }
        catch
        {
            sample.Dispose();
            throw;
        }
    }

    /// <summary>Mosaic + affine (s x s), or letterbox to <paramref name="height"/> x <paramref name="width"/> + affine at that size.</summary>
    LabeledImage Geometric(ILabeledImageSource source, int index, DeterministicRandom rng, bool mosaicEnabled, ArraySegment<int> pool,
        int height, int width)
    {
        int s = ImageSize;
        if (mosaicEnabled && Options.Mosaic > 0 && rng.Chance(Options.Mosaic))
        {
            var tiles = new LabeledImage[4];
            try
            {
                tiles[0] = source.Load(index);
                for (int i = 1; i < 4; i++)
                    tiles[i] = source.Load(pool.Count > 0 ? pool[rng.NextInt(pool.Count)] : rng.NextInt(source.Count));
                var canvas = t_canvas is { IsDisposed: false } c && c.Width == 2 * s ? c : t_canvas = new Mat(2 * s, 2 * s, MatType.CV_8UC3);
                using var mosaic = Mosaic4.Apply(tiles, s, rng, canvas);
                return RandomAffine.Apply(mosaic, Options, rng, border: -s / 2);
            }
            finally
            {
                foreach (var t in tiles) t?.Dispose();
            }
        }
        using var loaded = source.Load(index);
        using var boxed = Letterbox.Apply(loaded, width, height, scaleUp: true, out _);
        return RandomAffine.Apply(boxed, Options, rng, border: 0);
    }
}
