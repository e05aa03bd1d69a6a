using System.Text;

namespace Forge.Core.Metrics;

// Imported inside the namespace: from Forge.Core.Metrics the name "Detection" would otherwise resolve to the namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;

/// <summary>
/// Detection confusion matrix in the Ultralytics layout: rows are predicted classes, columns true classes, and the extra last
/// row / column is background (last row = missed ground truth, last column = false positive detection).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _matrix;
    // Scratch reused across Process calls.
    private int[] _keptDets = new int[64];
    private ulong[] _pairKeys = new ulong[256];
    private int[] _gtMatch = new int[64];
    private bool[] _detUsed = new bool[64];

    public ConfusionMatrix(int numClasses, float conf = 0.25f, float iouThreshold = 0.45f)
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The confusion matrix needs at least one class.");
        NumClasses = numClasses;
        Conf = conf;
        IouThreshold = iouThreshold;
        _matrix = new long[numClasses + 1, numClasses + 1];
    }

    public int NumClasses { get; }
    /// <summary>Detections need a score strictly above this (as in Ultralytics) to be counted.</summary>
    public float Conf { get; }
    /// <summary>A (ground truth, detection) pair needs IoU strictly above this to match.</summary>
    public float IouThreshold { get; }

    /// <summary>The live counts, (nc + 1) x (nc + 1), [predicted, true]; index nc is background.</summary>
    public long[,] Matrix => _matrix;

    /// <summary>
    /// Adds one image. Matching: every (gt, det) pair with IoU &gt; threshold, taken in descending IoU order, each ground truth
    /// and each detection used at most once (a one-to-one greedy assignment; Ultralytics approximates this with two np.unique
    /// passes, which can leave a detection unmatched when its best ground truth is taken although another one overlaps it).
    /// </summary>
    public void Process(IReadOnlyList<Detection> dets, IReadOnlyList<LabeledBox> gts)
    {
        ArgumentNullException.ThrowIfNull(dets);
        ArgumentNullException.ThrowIfNull(gts);
        int nc = NumClasses;
        for (int g = 0; g < gts.Count; g++) CheckClass(gts[g].ClassId, g, nameof(gts));

        EnsureCapacity(ref _keptDets, dets.Count);
        int nd = 0;
        for (int i = 0; i < dets.Count; i++)
        {
            if (!(dets[i].Score > Conf)) continue;
            CheckClass(dets[i].ClassId, i, nameof(dets));
            _keptDets[nd++] = i;
        }
        int ng = gts.Count;

        EnsureCapacity(ref _pairKeys, nd * ng);
        EnsureCapacity(ref _gtMatch, ng);
        EnsureCapacity(ref _detUsed, nd);
        int pairs = 0;
        for (int g = 0; g < ng; g++)
        {
            BoxF gBox = gts[g].Box;
            for (int d = 0; d < nd; d++)
            {
                float iou = UltralyticsIoU(gBox, dets[_keptDets[d]].Box);
                if (iou > IouThreshold) _pairKeys[pairs++] = ScoreOrder.DescendingKey(iou, (uint)(g * nd + d));
            }
        }
        _pairKeys.AsSpan(0, pairs).Sort();
        _gtMatch.AsSpan(0, ng).Fill(-1);
        Array.Clear(_detUsed, 0, nd);
        for (int p = 0; p < pairs; p++)
        {
            uint packed = ScoreOrder.TieBreak(_pairKeys[p]);
            int g = (int)(packed / (uint)nd), d = (int)(packed % (uint)nd);
            if (_gtMatch[g] >= 0 || _detUsed[d]) continue;
            _gtMatch[g] = d;
            _detUsed[d] = true;
        }

        for (int g = 0; g < ng; g++)
        {
            int d = _gtMatch[g];
            int predicted = d >= 0 ? dets[_keptDets[d]].ClassId : nc;
            _matrix[predicted, gts[g].ClassId]++;
        }
        for (int d = 0; d < nd; d++)
        {
            if (!_detUsed[d]) _matrix[dets[_keptDets[d]].ClassId, nc]++;
        }
    }

    /// <summary>Each column divided by its sum (so a true class's column shows where its objects went); empty columns stay 0.</summary>
    public double[,] Normalized()
    {
        int n = NumClasses + 1;
        var result = new double[n, n];
        for (int col = 0; col < n; col++)
        {
            long sum = 0;
            for (int row = 0; row < n; row++) sum += _matrix[row, col];
            if (sum == 0) continue;
            for (int row = 0; row < n; row++) result[row, col] = (double)_matrix[row, col] / sum;
        }
        return result;
    }

    /// <summary>Fixed-width table for the console: one row per predicted class, one column per true class.</summary>
    public string ToText(string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length != NumClasses)
            throw new ArgumentException($"Got {names.Length} class names for a {NumClasses}-class confusion matrix; pass one name per class.", nameof(names));
        int n = NumClasses + 1;
        var labels = new string[n];
        Array.Copy(names, labels, NumClasses);
        labels[NumClasses] = "background";

        const string corner = "pred \\ true";
        int width = corner.Length;
        foreach (string label in labels) width = Math.Max(width, label.Length);
        foreach (long value in _matrix) width = Math.Max(width, value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);

        var sb = new StringBuilder();
        sb.Append(corner.PadRight(width));
        foreach (string label in labels) sb.Append(' ').Append(label.PadLeft(width));
        sb.AppendLine();
        for (int row = 0; row < n; row++)
        {
            sb.Append(labels[row].PadRight(width));
            for (int col = 0; col < n; col++)
                sb.Append(' ').Append(_matrix[row, col].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Ultralytics box_iou: float, with 1e-7 added to the union.</summary>
    private static float UltralyticsIoU(in BoxF a, in BoxF b)
    {
        float iw = Math.Max(0f, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1));
        float ih = Math.Max(0f, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        float inter = iw * ih;
        float areaA = (a.X2 - a.X1) * (a.Y2 - a.Y1), areaB = (b.X2 - b.X1) * (b.Y2 - b.Y1);
        return inter / (areaA + areaB - inter + 1e-7f);
    }

    private void CheckClass(int classId, int index, string paramName)
    {
        if ((uint)classId >= (uint)NumClasses)
            throw new ArgumentOutOfRangeException(paramName,
                $"Box {index} has class id {classId}, but the confusion matrix was created for {NumClasses} classes (valid ids 0..{NumClasses - 1}).");
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[Math.Max(size, buffer.Length * 2)];
    }
}
