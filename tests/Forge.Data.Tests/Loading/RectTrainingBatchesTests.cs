using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Data.Tests.Datasets;

namespace Forge.Data.Tests.Loading;

/// <summary>
/// rect=true training batches: Ultralytics' BaseDataset.set_rectangle shapes (pad 0 for the train split), one fixed order by
/// aspect ratio, every rank's slice of a global batch at that batch's shape, and samples letterboxed to it without mosaic.
/// </summary>
public sealed class RectTrainingBatchesTests : IDisposable
{
    // (w, h) of the original images 640x480, 480x640, 640x360, 300x400, 500x500, 1000x200 and 333x500, written at the same
    // aspect ratios (the shapes depend on h/w only) and named so that index i is image i.
    static readonly (int W, int H)[] Sizes = [(64, 48), (48, 64), (64, 36), (30, 40), (50, 50), (100, 20), (333, 500)];

    readonly TempFolder folder = new();
    readonly DatasetIndex index;

    public RectTrainingBatchesTests()
    {
        for (int i = 0; i < Sizes.Length; i++)
        {
            folder.WriteImage($"images/img{i}.png", Sizes[i].W, Sizes[i].H, i);
            folder.WriteText($"labels/img{i}.txt", "0 0.5 0.5 0.5 0.5\n");
        }
        index = DatasetIndex.Build([folder.Full("images")], 1, new DataIssueLog(TextWriter.Null), "train", threads: 1);
    }

    public void Dispose() => folder.Dispose();

    // Expected values printed by Ultralytics 8.3.57 itself: BaseDataset.set_rectangle on labels with these shapes, stride 32
    // (/work/ref; `o = SimpleNamespace(ni=7, batch_size=bs, labels=[{"shape": (h, w)}...], imgsz=..., stride=32, pad=...);
    // BaseDataset.set_rectangle(o); o.im_files, o.batch_shapes`). Order: ['5', '2', '0', '4', '1', '3', '6'] in every case.
    [Theory]
    [InlineData(2, 320, 0.0, new[] { 192, 320, 320, 320, 320, 256, 320, 224 })]
    [InlineData(3, 320, 0.0, new[] { 256, 320, 320, 320, 320, 224 })]
    [InlineData(2, 640, 0.0, new[] { 384, 640, 640, 640, 640, 480, 640, 448 })]
    [InlineData(2, 320, 0.5, new[] { 224, 352, 352, 352, 352, 256, 352, 256 })]   // validation's pad, for contrast
    public void BatchShapesAreUltralyticsSetRectangle(int batch, int imgsz, double pad, int[] heightWidth)
    {
        var batches = ValidationBatches.Rect(index, imgsz, batch, stride: 32, pad: pad);
        Assert.Equal(heightWidth, batches.SelectMany(b => new[] { b.Height, b.Width }));
        Assert.Equal([5, 2, 0, 4, 1, 3, 6], batches.SelectMany(b => b.Indices));
        Assert.Equal([5, 2, 0, 4, 1, 3, 6], ValidationBatches.AspectOrder(index));
    }

    [Theory]
    [InlineData(4, 2, 0)]
    [InlineData(4, 2, 4)]   // resumed at global step 1
    [InlineData(4, 4, 0)]   // the final batch of 3 leaves rank 3 without images
    [InlineData(2, 1, 0)]
    public void EveryRanksSliceOfAGlobalBatchHasThatBatchsShape(int globalBatch, int world, int startSample)
    {
        var order = new FixedOrderSampler(ValidationBatches.AspectOrder(index));
        var global = ValidationBatches.Rect(index, 320, globalBatch, stride: 32, pad: 0.0);
        var perRank = Enumerable.Range(0, world)
            .Select(r => new GlobalBatchShardSampler(order, globalBatch, r, world, startSample))
            .Select(s => (Sampler: s, Batches: s.RankBatches(global))).ToList();
        for (int g = startSample / globalBatch; g < global.Count; g++)
        {
            var slices = perRank.Select(p => p.Batches.FirstOrDefault(b => b.Indices.All(global[g].Indices.Contains))).Where(b => b is not null).ToList();
            Assert.All(slices, s => Assert.Equal((global[g].Height, global[g].Width), (s!.Height, s.Width)));
            Assert.Equal(global[g].Indices, slices.SelectMany(s => s!.Indices));   // rank order = positions in the batch
        }
        foreach (var (sampler, batches) in perRank)
            Assert.Equal(sampler.EpochIndices(7), batches.SelectMany(b => b.Indices));   // the same samples as the sampler's own share
    }

    [Fact]
    public void BatchesThatDoNotFollowTheEpochOrderAreRefused()
    {
        var sampler = new GlobalBatchShardSampler(new ShuffleSampler(index.Count, 3), 2, 0, 1);
        var rect = ValidationBatches.Rect(index, 320, 2, stride: 32, pad: 0.0);
        Assert.Throws<ArgumentException>(() => sampler.RankBatches(rect));
        Assert.Throws<ArgumentException>(() => new FixedOrderSampler([0, 0, 1]));
    }

    [Fact]
    public void TrainingSamplesAreLetterboxedToTheirBatchsRectangleWithoutMosaic()
    {
        var options = new AugmentOptions { Degrees = 0, Translate = 0, Scale = 0, Shear = 0, Perspective = 0, FlipLr = 0, FlipUd = 0 };
        var dataset = new DetectionDataset(index, 320, augment: true, options);
        var global = ValidationBatches.Rect(index, 320, 2, stride: 32, pad: 0.0);
        var loader = new BatchLoader(dataset, new LoaderOptions { BatchSize = 2, Workers = 1, Seed = 1 }, global);
        var batches = loader.Epoch(0, mosaicEnabled: false).ToList();
        Assert.Equal(global.Select(b => (b.Height, b.Width)), batches.Select(b => (b.Height, b.Width)));
        // Image 5 (1000x200 → 320x64 loaded) in the 192x320 batch: no scaling beyond the fit, 64 px of content centred.
        using (var sample = dataset.GetSample(5, 0, 1, mosaicEnabled: false, height: 192, width: 320))
        {
            Assert.Equal((320, 192), (sample.Image.Width, sample.Image.Height));
            var box = Assert.Single(sample.Boxes);
            Assert.Equal(80f, box.X1, 2);
            Assert.Equal(64f + 16f, box.Y1, 2);   // (192 - 64) / 2 padding on top, then a quarter of 64
        }
        foreach (var b in batches) b.Dispose();
        var e = Assert.Throws<InvalidOperationException>(() => dataset.GetSample(5, 0, 1, mosaicEnabled: true, height: 192, width: 320));
        Assert.Contains("rectangular batches need mosaic off", e.Message);
    }
}
