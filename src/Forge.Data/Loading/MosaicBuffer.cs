namespace Forge.Data.Loading;

/// <summary>
/// Ultralytics' mosaic buffer (ultralytics/data/base.py, BaseDataset.buffer and load_image): a first-in-first-out list of
/// the images loaded most recently. An image enters when it is loaded and is not in the list already; when the list reaches
/// <c>max_buffer_length = min(n, 8 * batch, 1000)</c> the oldest one leaves. Mosaic takes its three extra images from this
/// list (Mosaic.get_indexes: random.choices(buffer, k=3)), not from the whole dataset, so early in training a mosaic often
/// repeats the images just seen, and later it mixes an image with those of the last ~8 batches.
/// <para>Ultralytics fills the list from the order its loader happens to read images in (on a CPU it trains with workers=0,
/// i.e. in the sampler's order). Here the list is a pure function of the global epoch orders, replayed from the first epoch,
/// so every rank, worker count and resumed run sees the same buffer for (epoch, index). Images loaded for MixUp do not
/// enter it (Ultralytics adds them; MixUp is off by default), and cache=ram's frozen buffer is not imitated.</para>
/// </summary>
public sealed class MosaicBuffer
{
    readonly IIndexSampler order;
    readonly object gate = new();
    int computedEpoch = -1;
    int[] sequence = [];              // the buffer at the epoch's start followed by the epoch's insertions
    int[] windowEnd = [];             // per dataset index: one past its buffer's last entry in sequence
    int[] windowStart = [];           // per dataset index: its buffer's first entry in sequence
    int[] carried = [];               // the buffer at the end of computedEpoch

    /// <param name="globalOrder">Every epoch's visiting order over the whole dataset (not one rank's share).</param>
    /// <param name="capacity">max_buffer_length; see <see cref="CapacityFor"/>.</param>
    public MosaicBuffer(IIndexSampler globalOrder, int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the mosaic buffer needs room for at least one image");
        order = globalOrder;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Ultralytics' max_buffer_length = min(n, 8 * batch, 1000) for n images and the (global) batch size.</summary>
    public static int CapacityFor(int images, int batch) => Math.Max(1, Math.Min(Math.Min(images, 8 * batch), 1000));

    /// <summary>
    /// The buffer right after item <paramref name="index"/> was loaded in <paramref name="epoch"/> (it includes the item
    /// itself), oldest first. Thread-safe; epochs are cheapest asked for in increasing order.
    /// </summary>
    public ArraySegment<int> After(int epoch, int index)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "must not be negative");
        lock (gate)
        {
            if (epoch < computedEpoch) Reset();
            while (computedEpoch < epoch) Advance();
            if ((uint)index >= (uint)windowEnd.Length || windowEnd[index] == 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"item {index} is not in epoch {epoch}'s order");
            return new ArraySegment<int>(sequence, windowStart[index], windowEnd[index] - windowStart[index]);
        }
    }

    void Reset()
    {
        computedEpoch = -1;
        carried = [];
    }

    /// <summary>Replays the next epoch: the sequence of buffer entries and each index's window in it.</summary>
    void Advance()
    {
        int epoch = computedEpoch + 1;
        var indices = order.EpochIndices(epoch);
        var seq = new List<int>(carried.Length + indices.Length);
        seq.AddRange(carried);
        var inBuffer = new HashSet<int>(carried);
        int start = 0, n = order.Count;
        var ends = new int[n];
        var starts = new int[n];
        foreach (int i in indices)
        {
            if ((uint)i >= (uint)n) throw new InvalidOperationException($"epoch {epoch}'s order holds index {i} outside the {n} images");
            if (inBuffer.Add(i))
            {
                seq.Add(i);
                // Ultralytics pops the oldest as soon as the list reaches max_buffer_length (and never empties it).
                if (seq.Count - start > 1 && seq.Count - start >= Capacity) inBuffer.Remove(seq[start++]);
            }
            starts[i] = start;
            ends[i] = seq.Count;
        }
        sequence = seq.ToArray();
        windowStart = starts;
        windowEnd = ends;
        carried = sequence[start..];
        computedEpoch = epoch;
    }
}
