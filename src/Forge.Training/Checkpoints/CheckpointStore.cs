using Forge.Core.Serialization;
using Forge.Training.Reporting;

namespace Forge.Training.Checkpoints;

/// <summary>
/// The checkpoint files of a run's weights folder (named by <see cref="RunFolder"/>) and how they rotate, so that a crash at any moment leaves at least one
/// complete, verified checkpoint:
/// <list type="bullet">
/// <item><c>last.safetensors</c>: the newest save; before it is replaced the previous one becomes <c>last.prev.safetensors</c>.</item>
/// <item><c>best.safetensors</c>: the save of the best epoch so far.</item>
/// <item><c>epochN.safetensors</c>: every save_period epochs; only the newest <c>keep</c> are kept (0 = all).</item>
/// </list>
/// Files are written whole to a temporary file, flushed and renamed (see <see cref="AtomicFile"/>). Writes may run on a
/// background thread: the caller pays only for the in-memory snapshot; <see cref="Flush"/> waits for them.
/// </summary>
public sealed class CheckpointStore(RunFolder run, int keep = 0, bool background = true) : IDisposable
{
    public string WeightsDir => run.WeightsDir;
    public string Last => run.LastCheckpoint;
    public string Previous => run.PreviousCheckpoint;
    public string Best => run.BestCheckpoint;

    /// <summary>'last' was written by this store (this process), so a "Saved" line about it is true.</summary>
    public bool WroteLast { get; private set; }
    /// <summary>'best' was written by this store (this process).</summary>
    public bool WroteBest { get; private set; }

    Task pending = Task.CompletedTask;
    Exception? failure;
    // Written snapshots are released on the caller's thread (next Save/Flush), not the writer's: native tensors are then
    // created and freed by the same thread, which keeps TorchSharp's per-thread accounting (and leak checks) exact.
    readonly System.Collections.Concurrent.ConcurrentQueue<CheckpointSnapshot> written = new();

    /// <summary>Frees the copies of snapshots already on disk.</summary>
    public void ReleaseWritten()
    {
        while (written.TryDequeue(out var s)) s.Dispose();
    }

    /// <summary>
    /// Queues a save of <paramref name="snapshot"/> as last (and best / an epoch snapshot when asked); the store disposes it once
    /// written. <paramref name="onWritten"/> runs once every file of this save is on disk (on the writer's thread).
    /// </summary>
    public void Save(CheckpointSnapshot snapshot, bool best, int? epochSnapshot, Action? onWritten = null)
    {
        // At most one write in flight: a save waits for the previous one (rarely: a write takes far less than an epoch),
        // so exactly one snapshot's copies are alive between saves and memory does not depend on timing.
        Flush();
        void Write()
        {
            Directory.CreateDirectory(WeightsDir);
            // The previous 'last' moves aside (a rename, atomic) before the new one is written: whatever moment a crash
            // hits, one complete checkpoint is on disk.
            if (File.Exists(Last)) File.Move(Last, Previous, overwrite: true);
            AtomicFile.Write(Last, snapshot.WriteTo);
            WroteLast = true;
            if (best) { AtomicFile.Write(Best, snapshot.WriteTo); WroteBest = true; }
            if (epochSnapshot is { } e)
            {
                AtomicFile.Write(run.EpochCheckpoint(e), snapshot.WriteTo);
                Prune();
            }
            onWritten?.Invoke();
        }
        if (!background)
        {
            try { Write(); } finally { snapshot.Dispose(); }
            return;
        }
        pending = Task.Run(() =>
        {
            try { Write(); }
            catch (Exception ex) { failure = ex; throw; }
            finally { written.Enqueue(snapshot); }
        });
    }

    /// <summary>Waits for queued writes; rethrows a failed write (a run must not end believing it saved).</summary>
    public void Flush()
    {
        try { pending.Wait(); ReleaseWritten(); }
        catch (AggregateException e) when (e.InnerException is not null) { throw new IOException($"saving a checkpoint in {WeightsDir} failed: {e.InnerException.Message}", e.InnerException); }
        ThrowIfFailed();
    }

    void ThrowIfFailed()
    {
        if (failure is { } f) throw new IOException($"saving a checkpoint in {WeightsDir} failed: {f.Message}", f);
    }

    void Prune()
    {
        if (keep <= 0) return;
        foreach (var (_, path) in run.EpochCheckpoints().Skip(keep)) File.Delete(path);
    }

    /// <summary>Files to resume from, newest first: last, its predecessor, then epoch snapshots.</summary>
    public List<string> ResumeCandidates()
    {
        var list = new List<string>();
        if (File.Exists(Last)) list.Add(Last);
        if (File.Exists(Previous)) list.Add(Previous);
        list.AddRange(run.EpochCheckpoints().Select(e => e.Path));
        return list;
    }

    /// <summary>
    /// Loads the newest checkpoint that verifies (checksum, structure, training state). Every damaged file is reported with its
    /// path and the cause; the run continues from the previous good one. No good file at all is an error saying what was tried.
    /// </summary>
    public (Checkpoint Checkpoint, string Path) LoadNewestValid(TextWriter log, IEnumerable<string>? preferred = null)
    {
        var tried = new List<string>();
        foreach (var path in (preferred ?? []).Concat(ResumeCandidates()).Distinct())
        {
            try
            {
                var ckpt = Checkpoint.Load(path);
                if (!TrainingCheckpoint.HasTrainingState(ckpt))
                {
                    ckpt.Dispose();
                    throw new InvalidDataException($"{path}: holds weights only, no training state");
                }
                if (tried.Count > 0) log.WriteLine($"WARNING: resuming from {path}, the newest checkpoint that verifies");
                return (ckpt, path);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException)
            {
                log.WriteLine($"WARNING: checkpoint {path} is damaged and was skipped: {e.Message}");
                tried.Add($"{path} ({e.Message})");
            }
        }
        throw new InvalidDataException(tried.Count == 0
            ? $"no checkpoint to resume from in {WeightsDir} (looked for last.safetensors, last.prev.safetensors, epochN.safetensors)"
            : $"no good checkpoint to resume from in {WeightsDir}; tried: {string.Join("; ", tried)}");
    }

    public void Dispose()
    {
        try { pending.Wait(); } catch (AggregateException) { }
        ReleaseWritten();
    }
}
