using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Augmentation;
using Forge.Data.Loading;
using OpenCvSharp;
using Forge.Data.Tests.Augmentation;

namespace Forge.Data.Tests.Loading;

public class MosaicBufferTests
{
    /// <summary>
    /// Ultralytics' BaseDataset.load_image bookkeeping, written out as a plain list: an image not held (ims[i] is None) is
    /// appended; then `if 1 &lt; len(buffer) >= max_buffer_length: buffer.pop(0)` releases the oldest.
    /// </summary>
    static List<int[]> Reference(IIndexSampler order, int epochs, int capacity, out List<int> epochOf)
    {
        var buffer = new List<int>();
        var after = new List<int[]>();
        epochOf = new List<int>();
        for (int e = 0; e < epochs; e++)
            foreach (int i in order.EpochIndices(e))
            {
                if (!buffer.Contains(i))
                {
                    buffer.Add(i);
                    if (buffer.Count > 1 && buffer.Count >= capacity) buffer.RemoveAt(0);
                }
                after.Add(buffer.ToArray());
                epochOf.Add(e);
            }
        return after;
    }

    [Theory]
    [InlineData(20, 8)]
    [InlineData(20, 1)]
    [InlineData(7, 128)]
    public void Buffer_equals_ultralytics_list_over_epochs(int images, int capacity)
    {
        var order = new ShuffleSampler(images, seed: 3);
        var expected = Reference(order, 4, capacity, out var epochOf);
        var buffer = new MosaicBuffer(order, capacity);
        int k = 0;
        for (int e = 0; e < 4; e++)
            foreach (int i in order.EpochIndices(e))
            {
                Assert.Equal(e, epochOf[k]);
                Assert.Equal(expected[k++], buffer.After(e, i).ToArray());
            }
        // A pure function of (epoch, index): asking for an earlier epoch again replays it identically.
        int first = order.EpochIndices(0)[0];
        Assert.Equal([first], buffer.After(0, first).ToArray());
        Assert.Equal(expected[^1], buffer.After(3, order.EpochIndices(3)[^1]).ToArray());
    }

    [Fact]
    public void Capacity_is_ultralytics_max_buffer_length()
    {
        Assert.Equal(128, MosaicBuffer.CapacityFor(205, 16));
        Assert.Equal(100, MosaicBuffer.CapacityFor(100, 16));
        Assert.Equal(1000, MosaicBuffer.CapacityFor(50_000, 256));
    }

    sealed class RecordingSource(int count) : ILabeledImageSource
    {
        public List<int> Loaded { get; } = new();
        public int Count => count;

        public LabeledImage Load(int index)
        {
            lock (Loaded) Loaded.Add(index);
            return new LabeledImage(new Mat(30, 40, MatType.CV_8UC3, new Scalar(index, 0, 0)), [new BoxF(5, 5, 20, 20)], [0]);
        }
    }

    [Fact]
    public void Mosaic_partners_come_from_the_pool()
    {
        var transform = new TrainTransform(64, new AugmentOptions());
        var pool = new ArraySegment<int>([90, 7, 3, 55], 1, 2);   // the buffer holds items 7 and 3
        for (int sample = 0; sample < 20; sample++)
        {
            var source = new RecordingSource(100);
            using var result = transform.Apply(source, 42, DeterministicRandom.ForSample(0, 0, sample), mosaicEnabled: true, pool);
            Assert.Equal(42, source.Loaded[0]);
            Assert.All(source.Loaded.Skip(1), i => Assert.Contains(i, new[] { 7, 3 }));
            Assert.Equal(4, source.Loaded.Count);
        }
    }

    [Fact]
    public void Recent_image_cache_keeps_the_newest_and_changes_no_sample()
    {
        using var fixture = new LoaderFixture();
        var index = fixture.BuildIndex();
        var order = new ShuffleSampler(index.Count, seed: 5);
        var recent = new DetectionDataset(index, 64, augment: true) { MosaicBuffer = new MosaicBuffer(order, 4) };
        var cachedAll = new DetectionDataset(index, 64, augment: true, cacheImages: true) { MosaicBuffer = new MosaicBuffer(order, 4) };
        Assert.NotNull(recent.RecentImages);
        Assert.Null(cachedAll.RecentImages);
        Assert.Equal(4 + 32, recent.RecentImages!.Capacity);
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (int i in order.EpochIndices(epoch))
            {
                using var a = recent.GetSample(i, epoch, 0, mosaicEnabled: true);
                using var b = cachedAll.GetSample(i, epoch, 0, mosaicEnabled: true);
                Assert.Equal(TestImages.Bytes(b.Image), TestImages.Bytes(a.Image));
                Assert.Equal(b.Boxes, a.Boxes);
            }
        // Every image is decoded once: later loads, the mosaic partners included, are copies of the kept ones.
        Assert.Equal(index.Count, recent.RecentImages.Misses);

        using var small = new RecentImageCache(2);
        using var m = new Mat(4, 4, MatType.CV_8UC3, Scalar.All(1));
        small.Add(1, m); small.Add(2, m); small.Add(3, m);
        Assert.Null(small.TryGet(1));
        using var kept = small.TryGet(3);
        Assert.NotNull(kept);
    }
}
