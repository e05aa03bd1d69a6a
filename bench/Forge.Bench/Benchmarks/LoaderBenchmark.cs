using System.Diagnostics;
using Forge.Bench.Harness;
using Forge.Bench.Workloads;
using Forge.Data.Datasets;
using Forge.Data.Loading;

namespace Forge.Bench.Benchmarks;

/// <summary>
/// BatchLoader throughput with the training transform (mosaic on, default augmentation) over the shapes dataset, for image
/// sizes, worker counts, and decoded images cached in memory (cache=true) or decoded from JPEG every time.
/// </summary>
public sealed class LoaderBenchmark : IBenchmark
{
    public string Name => "loader";
    public string Summary => "BatchLoader samples/s with the train transform (mosaic) per imgsz, workers 0/1/2, cached vs decoded each time";

    public IReadOnlyList<BenchKey> Keys { get; } =
    [
        new("imgsz", "160,320", "image sizes"),
        new("workers", "0,1,2", "loader worker threads (0 builds on the consuming thread)"),
        new("cache", "both", "false, true or both (true keeps decoded images in memory, like cache=true)", ["false", "true", "both"]),
        new("batch", "16", "samples per batch"),
        new("batches", "8", "batches per timed pass"),
        new("repeats", "3", "timed passes per configuration (each a different epoch's augmentation)"),
        new("datasets", ShapesData.DefaultRoot, "where the shapes dataset is generated"),
    ];

    sealed record Config(int ImageSize, bool Cached, int Workers, BatchLoader Loader)
    {
        public List<double> Seconds { get; } = new();
    }

    public int Run(BenchContext ctx)
    {
        var a = ctx.Args;
        var o = ctx.Out;
        int batch = a.Int("batch"), batches = a.Int("batches"), repeats = a.Int("repeats");
        if (batch < 1 || batches < 1 || repeats < 1) throw new BenchUsageException("batch, batches and repeats must be >= 1");
        var caches = a.String("cache").ToLowerInvariant() switch
        {
            "false" => new[] { false },
            "true" => new[] { true },
            "both" => new[] { false, true },
            var v => throw new BenchUsageException($"cache={v}: use false, true or both"),
        };
        var workerCounts = a.Ints("workers");
        var spec = ShapesData.Ensure(a.String("datasets"), ctx.Comm, o);

        var configs = new List<Config>();
        var indexNotes = new List<string>();
        var plain = ShapesData.TrainIndex(spec);
        foreach (int imgsz in a.Ints("imgsz"))
            foreach (bool cached in caches)
            {
                DatasetIndex index = plain;
                if (cached)
                {
                    // cache=true decodes and resizes every image once while indexing; that cost is paid before the first epoch.
                    var clock = Stopwatch.StartNew();
                    index = ShapesData.TrainIndex(spec, cacheImageSize: imgsz);
                    indexNotes.Add($"imgsz {imgsz}: filling the image cache while indexing took {clock.Elapsed.TotalSeconds:F2} s for {index.Count} images");
                }
                var dataset = new DetectionDataset(index, imgsz, augment: true, cacheImages: cached);
                foreach (int w in workerCounts)
                {
                    if (w < 0) throw new BenchUsageException($"workers={w}: must be >= 0");
                    var options = new LoaderOptions { BatchSize = batch, Workers = w, Prefetch = Math.Max(2, w), Seed = 0, DropLast = true };
                    configs.Add(new Config(imgsz, cached, w, new BatchLoader(dataset, options, new ShuffleSampler(index.Count, 0))));
                }
            }
        int perEpoch = configs[0].Loader.BatchesPerEpoch;
        if (batches > perEpoch) throw new BenchUsageException($"batches={batches}: an epoch of {plain.Count} images has only {perEpoch} batches of {batch}");

        o.WriteLine($"method: per configuration one warm-up pass, then {repeats} timed passes of {batches} batches x {batch} samples (a different epoch each,");
        o.WriteLine("        so different mosaics); passes of all configurations are interleaved so background load hits them alike. The consumer only");
        o.WriteLine("        disposes each batch: this is the loader's own ceiling. 'decoded' reads JPEGs from the OS page cache every time.");
        o.WriteLine();
        foreach (var c in configs) Pass(c, epoch: 0, batches);
        for (int r = 0; r < repeats; r++)
            foreach (var c in configs) c.Seconds.Add(Pass(c, epoch: r + 1, batches));

        var table = new TextTable("imgsz", "images", "workers", "samples/s", "ms/batch", "vs workers=0");
        foreach (var c in configs)
        {
            var rate = Harness.Summary.Of(c.Seconds.Select(s => batches * batch / s).ToArray());
            var ms = Harness.Summary.Of(c.Seconds.Select(s => s / batches * 1e3).ToArray());
            var baseline = configs.FirstOrDefault(b => b.ImageSize == c.ImageSize && b.Cached == c.Cached && b.Workers == 0);
            string relative = baseline is null ? "-" : $"{rate.Median / Harness.Summary.Of(baseline.Seconds.Select(s => batches * batch / s).ToArray()).Median:F2}x";
            table.Add(c.ImageSize, c.Cached ? "cached" : "decoded", c.Workers, rate.Format("F0"), ms.Format("F0"), relative);
        }
        table.Write(o);
        foreach (var n in indexNotes) o.WriteLine("  " + n);
        return 0;
    }

    /// <summary>Seconds to receive <paramref name="batches"/> batches of one epoch, from starting the enumeration.</summary>
    static double Pass(Config c, int epoch, int batches)
    {
        long start = Stopwatch.GetTimestamp();
        int received = 0;
        foreach (var b in c.Loader.Epoch(epoch, mosaicEnabled: true))
        {
            b.Dispose();
            if (++received == batches) break;   // leaving the loop stops and joins the workers
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
