namespace Forge.Data.Loading;

/// <summary>
/// Cuts each epoch's index order into batches and builds them, ahead of the consumer, on worker threads.
/// Batches come out in order and are identical for any number of workers, because each sample depends only on
/// (seed, epoch, index). A worker's exception surfaces in the consumer as a <see cref="DataLoadException"/> naming
/// the image; ending the enumeration early (break, dispose) stops and joins the workers.
/// </summary>
public sealed class BatchLoader
{
    readonly IReadOnlyList<PlannedBatch>? _fixedPlan;

    public DetectionDataset Dataset { get; }
    public LoaderOptions Options { get; }
    /// <summary>The epoch order for training loaders; null for a loader built from a fixed batch plan.</summary>
    public IIndexSampler? Sampler { get; }
    /// <summary>Where batch image arrays come back to when batches are disposed.</summary>
    public ExactArrayPool<byte> Pool { get; }

    /// <summary>Training batches: the sampler's order cut into batches of BatchSize, every image ImageSize square.</summary>
    public BatchLoader(DetectionDataset dataset, LoaderOptions options, IIndexSampler sampler)
    {
        options.Validate();
        Dataset = dataset;
        Options = options;
        Sampler = sampler;
        Pool = new ExactArrayPool<byte>(options.Prefetch + options.Workers + 2);
    }

    /// <summary>A fixed list of batches, each with its own shape (validation's rectangles); the same every epoch. BatchSize and DropLast are not used.</summary>
    public BatchLoader(DetectionDataset dataset, LoaderOptions options, IReadOnlyList<PlannedBatch> batches)
    {
        options.Validate();
        foreach (var b in batches)
        {
            if (b.Size == 0) throw new ArgumentException("a planned batch has no images", nameof(batches));
            if (b.Height < 32 || b.Width < 32) throw new ArgumentException($"a planned batch shape {b.Width}x{b.Height} is below 32 pixels", nameof(batches));
        }
        Dataset = dataset;
        Options = options;
        _fixedPlan = batches;
        Pool = new ExactArrayPool<byte>(options.Prefetch + options.Workers + 2);
    }

    public int BatchesPerEpoch => _fixedPlan?.Count
        ?? (Options.DropLast ? Sampler!.Count / Options.BatchSize : (Sampler!.Count + Options.BatchSize - 1) / Options.BatchSize);

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

    IReadOnlyList<PlannedBatch> BatchesOf(int epoch)
    {
        if (_fixedPlan is not null) return _fixedPlan;
        var order = Sampler!.EpochIndices(epoch);
        if (order.Length != Sampler.Count)
            throw new InvalidOperationException($"sampler returned {order.Length} indices for epoch {epoch} but promised {Sampler.Count}");
        int s = Dataset.ImageSize, bs = Options.BatchSize;
        var batches = new PlannedBatch[BatchesPerEpoch];
        for (int b = 0; b < batches.Length; b++)
            batches[b] = new PlannedBatch(order[(b * bs)..Math.Min(order.Length, (b + 1) * bs)], s, s);
        return batches;
    }

    IEnumerable<Batch> Iterate(int epoch, bool mosaicEnabled, int startBatch)
    {
        var plan = new EpochPlan(this, BatchesOf(epoch), epoch, mosaicEnabled);
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

    /// <summary>One epoch's fixed batches and how to turn a batch slot into collated data. Positions number the samples of all batches in order.</summary>
    internal sealed class EpochPlan
    {
        readonly BatchLoader _loader;
        readonly IReadOnlyList<PlannedBatch> _batches;
        readonly int[] _start;
        readonly int _epoch;
        readonly bool _mosaicEnabled;

        public EpochPlan(BatchLoader loader, IReadOnlyList<PlannedBatch> batches, int epoch, bool mosaicEnabled)
        {
            _loader = loader;
            _batches = batches;
            _epoch = epoch;
            _mosaicEnabled = mosaicEnabled;
            _start = new int[batches.Count + 1];
            for (int b = 0; b < batches.Count; b++) _start[b + 1] = _start[b] + batches[b].Size;
        }

        public int BatchCount => _batches.Count;
        /// <summary>One past the last sample position of the epoch.</summary>
        public int EndPosition => _start[^1];

        public int FirstPosition(int batch) => _start[batch];

        public int BatchOf(int position)
        {
            // Batches are never empty, so the starts strictly increase: an exact hit is the batch that starts there.
            int b = Array.BinarySearch(_start, position);
            return b >= 0 ? b : ~b - 1;
        }

        public int SlotOf(int position, int batch) => position - _start[batch];

        public BatchWork NewBatch(int batch)
        {
            var planned = _batches[batch];
            return new BatchWork(batch, planned, _loader.Pool.Rent(planned.Size * 3 * planned.Height * planned.Width));
        }

        /// <summary>Builds one sample into its slot. Errors are recorded on the batch, never thrown.</summary>
        public void BuildSample(BatchWork work, int slot)
        {
            var planned = work.Planned;
            int index = planned.Indices[slot];
            try
            {
                using var sample = _loader.Dataset.GetSample(index, _epoch, _loader.Options.Seed, _mosaicEnabled, planned.Height, planned.Width);
                if (sample.Image.Width != planned.Width || sample.Image.Height != planned.Height)
                    throw new InvalidOperationException($"sample is {sample.Image.Width}x{sample.Image.Height}, expected {planned.Width}x{planned.Height}");
                Collate.ToChw(sample.Image, work.Images, slot * 3 * planned.Height * planned.Width);
                work.Targets[slot] = Collate.TargetRows(sample);
                work.Infos[slot] = sample.Info;
            }
            catch (Exception e)
            {
                var path = (uint)index < (uint)_loader.Dataset.Count ? _loader.Dataset.Index.Items[index].ImagePath : "<no such item>";
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
            return new Batch(work.Number, work.Size, work.Planned.Height, work.Planned.Width, work.Images, targets, work.Infos, _loader.Pool);
        }

        public void Abandon(BatchWork work) => _loader.Pool.Return(work.Images);
    }

    /// <summary>A batch being built: slots fill in any order.</summary>
    internal sealed class BatchWork(int number, PlannedBatch planned, byte[] images)
    {
        public int Number { get; } = number;
        public PlannedBatch Planned { get; } = planned;
        public int Size => Planned.Size;
        public byte[] Images { get; } = images;
        public float[]?[] Targets { get; } = new float[]?[planned.Size];
        public ImageInfo[] Infos { get; } = new ImageInfo[planned.Size];
        public int Remaining = planned.Size;
        public DataLoadException? Error;
    }
}
