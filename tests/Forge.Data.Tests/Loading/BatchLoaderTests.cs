using Forge.Data.Augmentation;
using Forge.Data.Loading;

namespace Forge.Data.Tests.Loading;

public class BatchLoaderTests(LoaderFixture fixture) : IClassFixture<LoaderFixture>
{
    const int Size = 64;

    BatchLoader Loader(bool augment, int workers, int batchSize = 4, bool dropLast = false, IIndexSampler? sampler = null, int prefetch = 2)
    {
        var dataset = new DetectionDataset(fixture.BuildIndex(), Size, augment, new AugmentOptions(), cacheImages: augment);
        return new BatchLoader(dataset, new LoaderOptions { BatchSize = batchSize, Workers = workers, Seed = 5, DropLast = dropLast, Prefetch = prefetch },
            sampler ?? (augment ? new ShuffleSampler(dataset.Count, 5) : new SequentialSampler(dataset.Count)));
    }

    [Fact]
    public void BatchShapesAndTargets()
    {
        var loader = Loader(augment: true, workers: 2);
        Assert.Equal(3, loader.BatchesPerEpoch);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal([4, 4, 2], batches.Select(b => b.Size));
        Assert.Equal([0, 1, 2], batches.Select(b => b.Index));
        foreach (var b in batches)
        {
            Assert.Equal((Size, Size), (b.Height, b.Width));
            Assert.Equal(b.Size * 3 * Size * Size, b.Images.Length);
            Assert.True(b.Images.Distinct().Count() > 10, "the images should have content, not one grey value");
            Assert.Equal(b.TargetCount * 6, b.Targets.Length);
            float lastSlot = 0;
            for (int r = 0; r < b.TargetCount; r++)
            {
                float slot = b.Targets[r * 6];
                Assert.True(slot == MathF.Floor(slot) && slot >= lastSlot && slot < b.Size, $"batch index {slot}");
                lastSlot = slot;
                Assert.InRange(b.Targets[r * 6 + 1], 0, 2);
                for (int k = 2; k < 6; k++) Assert.InRange(b.Targets[r * 6 + k], 0f, 1f);
            }
            Assert.All(b.Infos, info => Assert.False(string.IsNullOrEmpty(info.Path)));
        }
        Assert.True(batches.Sum(b => b.TargetCount) > 0);
    }

    [Fact]
    public void ValidationBatchesLetterboxAndMapBack()
    {
        var loader = Loader(augment: false, workers: 1, batchSize: 3);
        var first = loader.Epoch(0).First();
        var index = loader.Dataset.Index;
        // Item 1 is 32x26 with a 0.5x0.4 box at the centre; loaded to 64x52 then padded 6 px top and bottom.
        var info = first.Infos[1];
        Assert.Equal((index.Items[1].ImagePath, 32, 26), (info.Path, info.OriginalWidth, info.OriginalHeight));
        Assert.Equal(2f, info.Scale, 4);
        Assert.Equal((0f, 6f), (info.PadX, info.PadY));
        var row = Enumerable.Range(0, first.TargetCount).Select(r => first.Targets.AsSpan(r * 6, 6).ToArray()).First(t => t[0] == 1 && t[1] == 1);
        Assert.Equal(0.5f, row[2], 4);
        Assert.Equal(0.5f, row[3], 4);
        Assert.Equal(0.5f, row[4], 4);
        Assert.Equal(0.4f * 52 / 64, row[5], 4);
        var (ox, oy) = info.ToOriginal(row[2] * Size, row[3] * Size);
        Assert.Equal(16f, ox, 3);
        Assert.Equal(13f, oy, 3);
        // Padding rows are grey 114 in every channel plane.
        Assert.Equal(114, first.Images[1 * 3 * Size * Size + 2 * Size * Size + 0 * Size + 10]);
    }

    static (byte[][] Images, float[][] Targets) Collect(BatchLoader loader, int epoch, bool mosaic = true, int start = 0)
    {
        var images = new List<byte[]>();
        var targets = new List<float[]>();
        foreach (var b in loader.Epoch(epoch, mosaic, start))
        {
            images.Add((byte[])b.Images.Clone());
            targets.Add(b.Targets);
            b.Dispose();
        }
        return (images.ToArray(), targets.ToArray());
    }

    [Fact]
    public void ResultsDoNotDependOnWorkerCount()
    {
        var reference = Collect(Loader(true, workers: 0), 1);
        foreach (int workers in new[] { 1, 3 })
        {
            var other = Collect(Loader(true, workers, prefetch: 1), 1);
            Assert.Equal(reference.Images, other.Images);
            Assert.Equal(reference.Targets, other.Targets);
        }
        var noMosaic0 = Collect(Loader(true, workers: 0), 1, mosaic: false);
        var noMosaic3 = Collect(Loader(true, workers: 3), 1, mosaic: false);
        Assert.Equal(noMosaic0.Images, noMosaic3.Images);
        Assert.NotEqual(reference.Images, noMosaic0.Images);
    }

    [Fact]
    public void ShuffleDiffersByEpochAndIsReproducible()
    {
        var sampler = new ShuffleSampler(50, 7);
        var e0 = sampler.EpochIndices(0);
        Assert.Equal(e0, new ShuffleSampler(50, 7).EpochIndices(0));
        Assert.NotEqual(e0, sampler.EpochIndices(1));
        Assert.NotEqual(e0, new ShuffleSampler(50, 8).EpochIndices(0));
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(Enumerable.Range(0, 5), new SequentialSampler(5).EpochIndices(3));

        var loader = Loader(true, workers: 2);
        Assert.NotEqual(Collect(loader, 0).Images, Collect(loader, 1).Images);
    }

    [Fact]
    public void StartBatchSkipsWhatWasSeen()
    {
        var loader = Loader(true, workers: 2);
        var full = Collect(loader, 2);
        var resumed = Collect(loader, 2, start: 1);
        Assert.Equal(full.Images[1..], resumed.Images);
        Assert.Equal(full.Targets[1..], resumed.Targets);
        Assert.Empty(loader.Epoch(2, true, startBatch: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(2, true, startBatch: 4));
    }

    [Fact]
    public void DropLastLeavesOutTheSmallBatch()
    {
        var loader = Loader(false, workers: 2, dropLast: true);
        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal([4, 4], loader.Epoch(0).Select(b => b.Size));
    }

    [Fact]
    public void DisposedBatchesGiveTheirArraysBack()
    {
        var loader = Loader(false, workers: 0, batchSize: 5);
        byte[]? first = null;
        foreach (var b in loader.Epoch(0))
        {
            if (first is null) first = b.Images;
            else Assert.Same(first, b.Images);
            b.Dispose();
            Assert.Throws<ObjectDisposedException>(() => b.Images);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void WorkerErrorsSurfaceWithThePath(int workers)
    {
        using var folder = new Forge.Data.Tests.Datasets.TempFolder();
        for (int i = 0; i < 6; i++)
        {
            folder.WriteImage($"images/{i}.png", 16, 16, i);
            folder.WriteText($"labels/{i}.txt", "0 0.5 0.5 0.5 0.5\n");
        }
        var index = Forge.Data.Datasets.DatasetIndex.Build([folder.Full("images")], 1, new Forge.Data.Datasets.DataIssueLog(TextWriter.Null));
        File.WriteAllBytes(folder.Full("images/3.png"), [1, 2, 3]); // broken after indexing
        var loader = new BatchLoader(new DetectionDataset(index, 32, augment: false), new LoaderOptions { BatchSize = 2, Workers = workers },
            new SequentialSampler(index.Count));
        int seen = 0;
        var e = Assert.Throws<DataLoadException>(() => { foreach (var _ in loader.Epoch(0)) seen++; });
        Assert.Equal(1, seen); // the batch before the broken one still arrives
        Assert.Equal(folder.Full("images/3.png"), e.ImagePath);
        Assert.Contains(folder.Full("images/3.png"), e.Message);
    }

    [Fact]
    public async Task AbandoningAnEpochStopsTheWorkers()
    {
        var loader = Loader(true, workers: 3, batchSize: 2, prefetch: 1);
        var task = Task.Run(() =>
        {
            foreach (var b in loader.Epoch(0)) { b.Dispose(); break; }
            using var e = loader.Epoch(1).GetEnumerator();
            e.MoveNext();
            e.MoveNext();
        });
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == task, "abandoned enumeration did not finish");
        await task;
        Assert.Equal(2, loader.Epoch(3).Take(2).Count());
    }
}
