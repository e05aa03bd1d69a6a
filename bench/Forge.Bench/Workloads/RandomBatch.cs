using Forge.Data.Loading;

namespace Forge.Bench.Workloads;

/// <summary>A loader-shaped batch of noise images with a few boxes each, where the pixels do not matter (e.g. to give an optimizer state).</summary>
public static class RandomBatch
{
    public static Batch Create(int size, int imgsz, int numClasses, int boxesPerImage = 3, int seed = 0)
    {
        var rng = new Random(seed);
        var images = new byte[size * 3 * imgsz * imgsz];
        rng.NextBytes(images);
        var targets = new float[size * boxesPerImage * 6];
        for (int r = 0; r < size * boxesPerImage; r++)
        {
            float w = 0.1f + 0.4f * (float)rng.NextDouble(), h = 0.1f + 0.4f * (float)rng.NextDouble();
            targets[r * 6] = r / boxesPerImage;
            targets[r * 6 + 1] = rng.Next(numClasses);
            targets[r * 6 + 2] = w / 2 + (1 - w) * (float)rng.NextDouble();
            targets[r * 6 + 3] = h / 2 + (1 - h) * (float)rng.NextDouble();
            targets[r * 6 + 4] = w;
            targets[r * 6 + 5] = h;
        }
        var infos = new ImageInfo[size];
        for (int i = 0; i < size; i++) infos[i] = new ImageInfo($"random-{i}", imgsz, imgsz, 1, 0, 0);
        return new Batch(0, size, imgsz, imgsz, images, targets, infos);
    }
}
