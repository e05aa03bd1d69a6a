using System.Diagnostics;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Distributed;
using Forge.Synthetic;

namespace Forge.Bench.Workloads;

/// <summary>
/// The embedded shapes dataset (500 train / 100 val images of 256x256), generated once into a datasets folder under the temp
/// directory and reused by later runs, and real training batches cut from it.
/// </summary>
public static class ShapesData
{
    public static string DefaultRoot => Path.Combine(Path.GetTempPath(), "forge-bench", "datasets");

    /// <summary>Makes sure the dataset exists (rank 0 generates, the others wait) and reads its data.yaml.</summary>
    public static DatasetSpec Ensure(string root, ICommunicator comm, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        string yaml = "";
        if (comm.IsMain) yaml = ShapesDataset.Ensure(root);
        comm.Barrier();
        if (!comm.IsMain) yaml = ShapesDataset.Ensure(root);
        var spec = DataYaml.Load(yaml);
        log.WriteLine($"dataset: {Path.GetDirectoryName(yaml)} ({clock.Elapsed.TotalSeconds:F1} s to generate or verify)");
        return spec;
    }

    /// <summary>The verified training index; with <paramref name="cacheImageSize"/> &gt; 0 decoded images are kept at that size, as cache=true does.</summary>
    public static DatasetIndex TrainIndex(DatasetSpec spec, int cacheImageSize = 0) =>
        DatasetIndex.Build(spec.Train, spec.NumClasses, new DataIssueLog(TextWriter.Null), "train", threads: 0, cacheImageSize: cacheImageSize);

    /// <summary>
    /// <paramref name="count"/> augmented training batches (mosaic on) of epoch 0, starting at batch <paramref name="first"/>,
    /// built up front so the timed steps do only training work.
    /// </summary>
    public static List<Batch> TrainBatches(DatasetIndex index, int imgsz, int batchSize, int count, int first = 0, int seed = 0)
    {
        var dataset = new DetectionDataset(index, imgsz, augment: true);
        var loader = new BatchLoader(dataset, new LoaderOptions { BatchSize = batchSize, Workers = 0, Seed = seed, DropLast = true }, new ShuffleSampler(index.Count, seed));
        int available = loader.BatchesPerEpoch;
        if (available == 0) throw new InvalidOperationException($"the dataset has {index.Count} images, fewer than one batch of {batchSize}");
        var batches = new List<Batch>(count);
        // Past the end of an epoch the next epoch continues, so any count works.
        for (int epoch = 0; batches.Count < count; epoch++)
        {
            int start = epoch == 0 ? first % available : 0;
            foreach (var b in loader.Epoch(epoch, mosaicEnabled: true, startBatch: start))
            {
                batches.Add(b);
                if (batches.Count == count) break;
            }
        }
        return batches;
    }
}
