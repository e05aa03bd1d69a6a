using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Forge.Core.Geometry;

namespace Forge.Core.Detection;

/// <summary>
/// Greedy non-maximum suppression over one image's raw YOLOv8 head output, with the semantics of Ultralytics
/// <c>non_max_suppression</c> (candidates need score &gt; conf, per-class suppression when IoU &gt; threshold,
/// results sorted by score descending).
/// </summary>
public static class NonMaxSuppression
{
    /// <param name="predictions">
    /// (4 + numClasses) rows x numAnchors columns, row-major: rows 0..3 are centre-x, centre-y, width, height in pixels,
    /// rows 4.. are class probabilities (sigmoid already applied).
    /// </param>
    public static List<Detection> Run(ReadOnlySpan<float> predictions, int numAnchors, int numClasses, NmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(predictions.Length, numAnchors, numClasses, options);

        var result = new List<Detection>(Math.Min(options.MaxDetections, 64));
        if (numAnchors == 0 || options.MaxDetections == 0 || options.MaxCandidates == 0) return result;

        int keyCapacity = options.MultiLabel ? numAnchors * numClasses : numAnchors;
        ulong[] keys = ArrayPool<ulong>.Shared.Rent(keyCapacity);
        try
        {
            int count = options.MultiLabel
                ? CollectAllLabels(predictions, numAnchors, numClasses, options.ConfThreshold, keys)
                : CollectBestLabels(predictions, numAnchors, numClasses, options.ConfThreshold, keys);
            if (options.Classes is { } classes) count = KeepClasses(keys, count, numClasses, classes);
            if (count == 0) return result;

            if (count > options.MaxCandidates)
            {
                TopKeys.SelectSmallest(keys.AsSpan(0, count), options.MaxCandidates);
                count = options.MaxCandidates;
            }
            // One sort gives the global score order; walking it while checking only the same class's kept boxes is exactly
            // per-class greedy NMS, and lets us stop as soon as MaxDetections boxes are kept.
            keys.AsSpan(0, count).Sort();
            Suppress(predictions, numAnchors, numClasses, options, keys, count, result);
            return result;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
        }
    }

    private static void Validate(int length, int numAnchors, int numClasses, NmsOptions options)
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "NMS needs at least one class.");
        if (numAnchors < 0)
            throw new ArgumentOutOfRangeException(nameof(numAnchors), numAnchors, "The anchor count cannot be negative.");
        long expected = (long)(4 + numClasses) * numAnchors;
        if (length != expected)
            throw new ArgumentException(
                $"Prediction buffer holds {length} floats but (4 + {numClasses} classes) x {numAnchors} anchors = {expected}. " +
                "Pass one image's head output and check that the model's class count matches the dataset.", "predictions");
        if (options.MaxDetections < 0 || options.MaxCandidates < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxDetections and MaxCandidates cannot be negative.");
    }

    /// <summary>Best class per anchor (first on ties, like torch max); the tie-break index is anchor * numClasses + class.</summary>
    private static int CollectBestLabels(ReadOnlySpan<float> p, int numAnchors, int numClasses, float conf, ulong[] keys)
    {
        float[] best = ArrayPool<float>.Shared.Rent(numAnchors);
        int[] bestClass = ArrayPool<int>.Shared.Rent(numAnchors);
        try
        {
            // Class-major loops walk each contiguous class row once; the vector part keeps the first maximum via a strict >.
            p.Slice(4 * numAnchors, numAnchors).CopyTo(best);
            Array.Clear(bestClass, 0, numAnchors);
            int width = Vector<float>.Count;
            int vectorEnd = Vector.IsHardwareAccelerated ? numAnchors - numAnchors % width : 0;
            for (int c = 1; c < numClasses; c++)
            {
                ReadOnlySpan<float> row = p.Slice((4 + c) * numAnchors, numAnchors);
                var classVec = new Vector<int>(c);
                for (int a = 0; a < vectorEnd; a += width)
                {
                    var value = new Vector<float>(row.Slice(a, width));
                    var current = new Vector<float>(best, a);
                    Vector<int> greater = Vector.GreaterThan(value, current);
                    Vector.Max(value, current).CopyTo(best, a);
                    Vector.ConditionalSelect(greater, classVec, new Vector<int>(bestClass, a)).CopyTo(bestClass, a);
                }
                for (int a = vectorEnd; a < numAnchors; a++)
                {
                    if (row[a] > best[a]) { best[a] = row[a]; bestClass[a] = c; }
                }
            }
            int count = 0;
            for (int a = 0; a < numAnchors; a++)
            {
                if (best[a] > conf)
                    keys[count++] = ScoreOrder.DescendingKey(best[a], (uint)(a * numClasses + bestClass[a]));
            }
            return count;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(bestClass);
        }
    }

    // Ultralytics' classes= filter: candidates of other classes leave before the candidate cap and suppression.
    private static int KeepClasses(ulong[] keys, int count, int numClasses, IReadOnlySet<int> classes)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
            if (classes.Contains((int)(ScoreOrder.TieBreak(keys[i]) % (uint)numClasses))) keys[kept++] = keys[i];
        return kept;
    }

    private static int CollectAllLabels(ReadOnlySpan<float> p, int numAnchors, int numClasses, float conf, ulong[] keys)
    {
        int count = 0;
        for (int c = 0; c < numClasses; c++)
        {
            ReadOnlySpan<float> row = p.Slice((4 + c) * numAnchors, numAnchors);
            for (int a = 0; a < row.Length; a++)
            {
                if (row[a] > conf) keys[count++] = ScoreOrder.DescendingKey(row[a], (uint)(a * numClasses + c));
            }
        }
        return count;
    }

    private static void Suppress(ReadOnlySpan<float> p, int numAnchors, int numClasses, NmsOptions options,
        ulong[] sortedKeys, int count, List<Detection> result)
    {
        int maxDet = Math.Min(options.MaxDetections, count);
        int buckets = options.ClassAgnostic ? 1 : numClasses;
        int[] head = ArrayPool<int>.Shared.Rent(buckets);
        int[] next = ArrayPool<int>.Shared.Rent(maxDet);
        float[] area = ArrayPool<float>.Shared.Rent(maxDet);
        try
        {
            head.AsSpan(0, buckets).Fill(-1);
            ReadOnlySpan<float> cxRow = p.Slice(0, numAnchors), cyRow = p.Slice(numAnchors, numAnchors);
            ReadOnlySpan<float> wRow = p.Slice(2 * numAnchors, numAnchors), hRow = p.Slice(3 * numAnchors, numAnchors);
            float iouThreshold = options.IouThreshold;

            for (int i = 0; i < count && result.Count < maxDet; i++)
            {
                ulong key = sortedKeys[i];
                uint packed = ScoreOrder.TieBreak(key);
                int anchor = (int)(packed / (uint)numClasses), cls = (int)(packed % (uint)numClasses);
                float halfW = wRow[anchor] * 0.5f, halfH = hRow[anchor] * 0.5f;
                var box = new BoxF(cxRow[anchor] - halfW, cyRow[anchor] - halfH, cxRow[anchor] + halfW, cyRow[anchor] + halfH);
                float boxArea = (box.X2 - box.X1) * (box.Y2 - box.Y1);

                int bucket = options.ClassAgnostic ? 0 : cls;
                bool suppressed = false;
                ReadOnlySpan<Detection> keptSoFar = CollectionsMarshal.AsSpan(result);
                for (int k = head[bucket]; k >= 0; k = next[k])
                {
                    BoxF kept = keptSoFar[k].Box;
                    float iw = Math.Max(0f, Math.Min(box.X2, kept.X2) - Math.Max(box.X1, kept.X1));
                    float ih = Math.Max(0f, Math.Min(box.Y2, kept.Y2) - Math.Max(box.Y1, kept.Y1));
                    float inter = iw * ih;
                    // Same formula and strict comparison as torchvision.ops.nms (a NaN IoU never suppresses).
                    if (inter / (boxArea + area[k] - inter) > iouThreshold) { suppressed = true; break; }
                }
                if (suppressed) continue;

                int slot = result.Count;
                area[slot] = boxArea;
                next[slot] = head[bucket];
                head[bucket] = slot;
                result.Add(new Detection(box, ScoreOrder.Score(key), cls));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(head);
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<float>.Shared.Return(area);
        }
    }
}
