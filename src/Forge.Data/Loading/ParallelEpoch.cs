namespace Forge.Data.Loading;

/// <summary>
/// Worker threads that claim samples in epoch order (so the oldest batch always finishes first) and stay at most
/// <c>prefetch</c> batches ahead of the consumer. One lock guards the shared counters; samples are built outside it.
/// </summary>
internal sealed class ParallelEpoch : IDisposable
{
    readonly BatchLoader.EpochPlan _plan;
    readonly int _prefetch;
    readonly int _endPosition;
    readonly object _gate = new();
    readonly Dictionary<int, BatchLoader.BatchWork> _open = [];
    readonly Thread[] _threads;
    int _nextPosition;
    int _consumerBatch;
    bool _stopping;
    Exception? _workerCrash;

    public ParallelEpoch(BatchLoader.EpochPlan plan, int startBatch, int workers, int prefetch)
    {
        _plan = plan;
        _prefetch = prefetch;
        _consumerBatch = startBatch;
        _endPosition = plan.EndPosition;
        _nextPosition = startBatch >= plan.BatchCount ? _endPosition : plan.FirstPosition(startBatch);
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"forge-loader-{i}" };
            _threads[i].Start();
        }
    }

    void Work()
    {
        try
        {
            while (true)
            {
                BatchLoader.BatchWork work;
                int slot;
                lock (_gate)
                {
                    while (!_stopping && _nextPosition < _endPosition && _plan.BatchOf(_nextPosition) > _consumerBatch + _prefetch)
                        Monitor.Wait(_gate);
                    if (_stopping || _nextPosition >= _endPosition) return;
                    int position = _nextPosition++;
                    int batch = _plan.BatchOf(position);
                    if (!_open.TryGetValue(batch, out work!)) _open[batch] = work = _plan.NewBatch(batch);
                    slot = _plan.SlotOf(position, batch);
                }
                _plan.BuildSample(work, slot);
                lock (_gate)
                {
                    work.Remaining--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _workerCrash ??= e;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Waits for batch <paramref name="batch"/> (they must be taken in order) and hands it out.</summary>
    public Batch Take(int batch)
    {
        BatchLoader.BatchWork? work;
        lock (_gate)
        {
            while (true)
            {
                if (_open.TryGetValue(batch, out work) && (work.Remaining == 0 || work.Error is not null)) break;
                if (_workerCrash is not null) throw new InvalidOperationException($"a data loader thread failed: {_workerCrash.Message}", _workerCrash);
                Monitor.Wait(_gate);
            }
            _open.Remove(batch);
            _consumerBatch = batch + 1;
            if (work.Error is not null) _stopping = true;
            Monitor.PulseAll(_gate);
        }
        // A failed batch's array may still be written by a worker finishing another slot: it is not reused.
        if (work.Error is { } error) throw error;
        return _plan.Finish(work);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in _threads) t.Join();
        foreach (var work in _open.Values) if (work.Error is null) _plan.Abandon(work);
        _open.Clear();
    }
}
