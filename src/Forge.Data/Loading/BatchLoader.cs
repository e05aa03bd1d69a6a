namespace Forge.Data.Loading;

/// <summary>
/// Cuts each epoch's index order into batches and builds them, ahead of the consumer, on worker threads.
/// Batches come out in order and are identical for any number of workers, because each sample depends only on
/// (seed, epoch, index). A worker's exception surfaces in the consumer as a <see cref="DataLoadException"/> naming
/// the image; ending the enumeration early (break, dispose) stops and joins the workers.
/// </summary>
public sealed class BatchLoader
{
    public DetectionDataset Dataset { get; }
    public LoaderOptions Options { get; }
    public IIndexSampler Sampler { get; }
    /// <summary>Where batch image arrays come back to when batches are disposed.</summary>
    public FloatArrayPool Pool { get; }

    public BatchLoader(DetectionDataset dataset, LoaderOptions options, IIndexSampler sampler)
    {
        options.Validate();
        Dataset = dataset;
        Options = options;
        Sampler = sampler;
        Pool = new FloatArrayPool(options.Prefetch + options.Workers + 2);
    }

    public int BatchesPerEpoch =>
        Options.DropLast ? Sampler.Count / Options.BatchSize : (Sampler.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>
    /// The batches of <paramref name="epoch"/>, starting at <paramref name="startBatch"/> (a resumed run skips the
    /// batches it already trained on; the skipped samples are never built).
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, bool mosaicEnabled = true, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"an epoch has {BatchesPerEpoch} batches");
        return Iterate(epoch, mosaicEnabled, startBatch);
    }

    IEnumerable<Batch> Iterate(int epoch, bool mosaicEnabled, int startBatch)
    {
        var order = Sampler.EpochIndices(epoch);
        if (order.Length != Sampler.Count)
            throw new InvalidOperationException($"sampler returned {order.Length} indices for epoch {epoch} but promised {Sampler.Count}");
        var plan = new EpochPlan(this, order, epoch, mosaicEnabled);
        if (Options.Workers == 0)
        {
            for (int b = startBatch; b < plan.BatchCount; b++)
            {
                var work = plan.NewBatch(b);
                for (int slot = 0; slot < work.Size; slot++)
                {
                    plan.BuildSample(work, slot);
                    if (work.Error is { } error) throw error;
                }
                yield return plan.Finish(work);
            }
            yield break;
        }
        using var run = new ParallelEpoch(plan, startBatch, Options.Workers, Options.Prefetch);
        for (int b = startBatch; b < plan.BatchCount; b++)
            yield return run.Take(b);
    }

    /// <summary>One epoch's fixed order and how to turn a batch slot into collated data.</summary>
    internal sealed class EpochPlan(BatchLoader loader, int[] order, int epoch, bool mosaicEnabled)
    {
        readonly int _batchSize = loader.Options.BatchSize;
        readonly int _imageSize = loader.Dataset.ImageSize;

        public int BatchSize => _batchSize;
        public int BatchCount { get; } = loader.BatchesPerEpoch;
        /// <summary>One past the last sample position used this epoch (a dropped last batch excluded).</summary>
        public int EndPosition => BatchCount == 0 ? 0 : (BatchCount - 1) * _batchSize + SizeOf(BatchCount - 1);

        public int BatchOf(int position) => position / _batchSize;

        public int SizeOf(int batch) => Math.Min(_batchSize, order.Length - batch * _batchSize);

        public BatchWork NewBatch(int batch)
        {
            int size = SizeOf(batch);
            return new BatchWork(batch, size, loader.Pool.Rent(size * 3 * _imageSize * _imageSize));
        }

        /// <summary>Builds one sample into its slot. Errors are recorded on the batch, never thrown.</summary>
        public void BuildSample(BatchWork work, int slot)
        {
            int index = order[work.Number * _batchSize + slot];
            try
            {
                var sample = loader.Dataset.GetSample(index, epoch, loader.Options.Seed, mosaicEnabled);
                if (sample.Image.Width != _imageSize || sample.Image.Height != _imageSize)
                    throw new InvalidOperationException($"sample is {sample.Image.Width}x{sample.Image.Height}, expected {_imageSize}x{_imageSize}");
                Collate.ToChw(sample.Image, work.Images, slot * 3 * _imageSize * _imageSize);
                work.Targets[slot] = Collate.TargetRows(sample);
                work.Infos[slot] = sample.Info;
            }
            catch (Exception e)
            {
                var path = (uint)index < (uint)loader.Dataset.Count ? loader.Dataset.Index.Items[index].ImagePath : "<no such item>";
                lock (work) work.Error ??= new DataLoadException(path, index, e);
            }
        }

        public Batch Finish(BatchWork work)
        {
            int rows = 0;
            foreach (var t in work.Targets) rows += t!.Length / 5;
            var targets = new float[rows * 6];
            int o = 0;
            for (int slot = 0; slot < work.Size; slot++)
            {
                var t = work.Targets[slot]!;
                for (int r = 0; r < t.Length; r += 5)
                {
                    targets[o++] = slot;
                    for (int k = 0; k < 5; k++) targets[o++] = t[r + k];
                }
            }
            return new Batch(work.Number, work.Size, _imageSize, _imageSize, work.Images, targets, work.Infos, loader.Pool);
        }

        public void Abandon(BatchWork work) => loader.Pool.Return(work.Images);
    }

    /// <summary>A batch being built: slots fill in any order.</summary>
    internal sealed class BatchWork(int number, int size, float[] images)
    {
        public int Number { get; } = number;
        public int Size { get; } = size;
        public float[] Images { get; } = images;
        public float[]?[] Targets { get; } = new float[]?[size];
        public ImageInfo[] Infos { get; } = new ImageInfo[size];
        public int Remaining = size;
        public DataLoadException? Error;
    }
}
