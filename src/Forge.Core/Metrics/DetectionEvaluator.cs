namespace Forge.Core.Metrics;

// Imported inside the namespace: from Forge.Core.Metrics the name "Detection" would otherwise resolve to the namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;

/// <summary>
/// Accumulates per-image detections and ground truth, then computes COCO box AP exactly as pycocotools COCOeval does
/// (area 'all', one maxDets value; iscrowd regions ignored as COCOeval ignores them: a detection whose best match is a crowd
/// region, by intersection over the detection's area, counts neither as true nor as false positive) plus Ultralytics-style
/// precision / recall / F1 at the best-F1 confidence. Not thread-safe: feed it from one thread.
/// <see cref="UltralyticsEvaluator"/> gives Ultralytics' own AP definition instead.
/// </summary>
public sealed class DetectionEvaluator
{
    /// <summary>pycocotools caps the IoU threshold so that a perfect overlap still matches at threshold 1.</summary>
    private const double MaxIouThreshold = 1 - 1e-10;
    /// <summary>np.spacing(1), pycocotools' guard against 0/0 precision.</summary>
    private const double PrecisionEps = 2.220446049250313e-16;
    /// <summary>Ultralytics ap_per_class eps.</summary>
    private const double UltralyticsEps = 1e-16;

    private readonly int _numClasses;
    private readonly int _maxDetections;
    private readonly double[] _iouThresholds = NumpyGrid.CocoIouThresholds();
    private readonly ClassResults[] _perClass;
    private readonly int[] _instancesPerClass;
    private readonly int[] _imagesPerClass;
    private int _imageCount;

    // Per-image scratch, reused across AddImage calls.
    private readonly int[] _detStart, _gtStart, _fill;
    private int[] _detOrder = new int[64], _gtOrder = new int[64], _crowdOrder = new int[16];
    private readonly int[] _crowdStart;
    private ulong[] _sortKeys = new ulong[64];
    private double[] _iou = new double[256];
    private ushort[] _gtMatched = new ushort[64];

    public DetectionEvaluator(int numClasses, int maxDetectionsPerImage = 100)
    {
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The evaluator needs at least one class.");
        if (maxDetectionsPerImage < 1)
            throw new ArgumentOutOfRangeException(nameof(maxDetectionsPerImage), maxDetectionsPerImage, "maxDetectionsPerImage must be at least 1.");
        _numClasses = numClasses;
        _maxDetections = maxDetectionsPerImage;
        _perClass = new ClassResults[numClasses];
        for (int c = 0; c < numClasses; c++) _perClass[c] = new ClassResults();
        _instancesPerClass = new int[numClasses];
        _imagesPerClass = new int[numClasses];
        _detStart = new int[numClasses + 1];
        _gtStart = new int[numClasses + 1];
        _crowdStart = new int[numClasses + 1];
        _fill = new int[numClasses];
    }

    public int NumClasses => _numClasses;
    public int MaxDetectionsPerImage => _maxDetections;
    public int ImageCount => _imageCount;

    /// <summary>
    /// Adds one image. Detections may be in any order; every image (also ones without boxes) should be added.
    /// <paramref name="crowd"/> holds the image's iscrowd regions (COCO json): they count as no instance and only excuse
    /// the detections that fall on them.
    /// </summary>
    public void AddImage(IReadOnlyList<Detection> detections, IReadOnlyList<LabeledBox> groundTruth, IReadOnlyList<LabeledBox>? crowd = null)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(groundTruth);
        crowd ??= [];
        int nd = detections.Count, ng = groundTruth.Count, nc = crowd.Count;
        EnsureCapacity(ref _detOrder, nd);
        EnsureCapacity(ref _gtOrder, ng);
        EnsureCapacity(ref _crowdOrder, nc);
        Array.Clear(_crowdStart);
        for (int i = 0; i < nc; i++) _crowdStart[CheckedClass(crowd[i].ClassId, i, nameof(crowd)) + 1]++;
        PrefixSum(_crowdStart);
        for (int i = 0; i < nc; i++) _crowdOrder[_fill[crowd[i].ClassId]++] = i;

        // Stable counting sort by class keeps each class's boxes in input order, as pycocotools' per-(image, category) lists are.
        Array.Clear(_detStart);
        for (int i = 0; i < nd; i++) _detStart[CheckedClass(detections[i].ClassId, i, nameof(detections)) + 1]++;
        PrefixSum(_detStart);
        for (int i = 0; i < nd; i++) _detOrder[_fill[detections[i].ClassId]++] = i;
        Array.Clear(_gtStart);
        for (int i = 0; i < ng; i++) _gtStart[CheckedClass(groundTruth[i].ClassId, i, nameof(groundTruth)) + 1]++;
        PrefixSum(_gtStart);
        for (int i = 0; i < ng; i++) _gtOrder[_fill[groundTruth[i].ClassId]++] = i;

        for (int c = 0; c < _numClasses; c++)
        {
            int d0 = _detStart[c], dn = _detStart[c + 1] - d0;
            int g0 = _gtStart[c], gn = _gtStart[c + 1] - g0;
            int c0 = _crowdStart[c], cn = _crowdStart[c + 1] - c0;
            if (gn > 0)
            {
                _instancesPerClass[c] += gn;
                _imagesPerClass[c]++;
            }
            if (dn > 0) MatchClass(detections, groundTruth, crowd, d0, dn, g0, gn, c0, cn, _perClass[c]);
        }
        _imageCount++;
    }

    private int CheckedClass(int classId, int index, string paramName)
    {
        if ((uint)classId >= (uint)_numClasses)
            throw new ArgumentOutOfRangeException(paramName,
                $"Box {index} has class id {classId}, but the evaluator was created for {_numClasses} classes (valid ids 0..{_numClasses - 1}). " +
                "Check that the model's class count matches the dataset's names list.");
        return classId;
    }

    /// <summary>Turns per-class counts (stored at start[c + 1]) into start offsets and primes the fill cursors.</summary>
    private void PrefixSum(int[] start)
    {
        for (int c = 0; c < _numClasses; c++) start[c + 1] += start[c];
        Array.Copy(start, _fill, _numClasses);
    }

    /// <summary>
    /// pycocotools evaluateImg for one (image, class): keep the top maxDets by score, then greedy matching per IoU threshold
    /// over the regular ground truth first and the crowd regions after it (a crowd region may take any number of detections).
    /// </summary>
    private void MatchClass(IReadOnlyList<Detection> detections, IReadOnlyList<LabeledBox> groundTruth, IReadOnlyList<LabeledBox> crowd,
        int d0, int dn, int g0, int gn, int c0, int cn, ClassResults into)
    {
        EnsureCapacity(ref _sortKeys, dn);
        for (int k = 0; k < dn; k++) _sortKeys[k] = ScoreOrder.DescendingKey(detections[_detOrder[d0 + k]].Score, (uint)k);
        _sortKeys.AsSpan(0, dn).Sort();
        int kept = Math.Min(dn, _maxDetections);
        int all = gn + cn;

        if (all == 0)
        {
            for (int k = 0; k < kept; k++) into.Add(ScoreOrder.Score(_sortKeys[k]), 0, 0);
            return;
        }

        EnsureCapacity(ref _iou, kept * all);
        EnsureCapacity(ref _gtMatched, all);
        for (int k = 0; k < kept; k++)
        {
            BoxF box = detections[_detOrder[d0 + (int)ScoreOrder.TieBreak(_sortKeys[k])]].Box;
            for (int g = 0; g < gn; g++) _iou[k * all + g] = IoU(box, groundTruth[_gtOrder[g0 + g]].Box);
            for (int g = 0; g < cn; g++) _iou[k * all + gn + g] = CrowdIoU(box, crowd[_crowdOrder[c0 + g]].Box);
        }
        Array.Clear(_gtMatched, 0, all);

        // Thresholds are independent, so one pass over detections handles all ten; bit t of a mask means "matched at threshold t".
        for (int k = 0; k < kept; k++)
        {
            ushort detMask = 0, ignoreMask = 0;
            int row = k * all;
            for (int t = 0; t < _iouThresholds.Length; t++)
            {
                ushort bit = (ushort)(1 << t);
                double best = Math.Min(_iouThresholds[t], MaxIouThreshold);
                int match = -1;
                for (int g = 0; g < all; g++)
                {
                    bool isCrowd = g >= gn;
                    if (!isCrowd && (_gtMatched[g] & bit) != 0) continue;
                    // Matched to a regular box already: the crowd regions after it cannot take the detection.
                    if (match >= 0 && match < gn && isCrowd) break;
                    double iou = _iou[row + g];
                    if (iou < best) continue;
                    // Equal IoU moves the match to the later ground truth, as in pycocotools.
                    best = iou;
                    match = g;
                }
                if (match < 0) continue;
                _gtMatched[match] |= bit;
                if (match >= gn) ignoreMask |= bit;
                else detMask |= bit;
            }
            into.Add(ScoreOrder.Score(_sortKeys[k]), detMask, ignoreMask);
        }
    }

    /// <summary>pycocotools' iou for an iscrowd region: intersection over the detection's own area.</summary>
    internal static double CrowdIoU(in BoxF det, in BoxF crowd)
    {
        double w = Math.Min((double)det.X2, crowd.X2) - Math.Max((double)det.X1, crowd.X1);
        if (w <= 0) return 0;
        double h = Math.Min((double)det.Y2, crowd.Y2) - Math.Max((double)det.Y1, crowd.Y1);
        if (h <= 0) return 0;
        double area = ((double)det.X2 - det.X1) * ((double)det.Y2 - det.Y1);
        return w * h / area;
    }

    /// <summary>Box IoU in double precision like pycocotools' bbIou (0 when the boxes do not overlap).</summary>
    internal static double IoU(in BoxF a, in BoxF b)
    {
        double w = Math.Min((double)a.X2, b.X2) - Math.Max((double)a.X1, b.X1);
        if (w <= 0) return 0;
        double h = Math.Min((double)a.Y2, b.Y2) - Math.Max((double)a.Y1, b.Y1);
        if (h <= 0) return 0;
        double inter = w * h;
        double areaA = ((double)a.X2 - a.X1) * ((double)a.Y2 - a.Y1);
        double areaB = ((double)b.X2 - b.X1) * ((double)b.Y2 - b.Y1);
        return inter / (areaA + areaB - inter);
    }

    /// <summary>Accumulates everything added so far. Does not change the evaluator, so it may be called repeatedly.</summary>
    public DetectionMetrics Compute()
    {
        int nc = _numClasses, nt = _iouThresholds.Length;
        double[] recallGrid = NumpyGrid.CocoRecallThresholds();
        double[] confGrid = NumpyGrid.ConfidenceGrid();
        int nr = recallGrid.Length, nx = confGrid.Length;
        var ap = new double[nc, nt];
        var precisionAtRecall = new double[nc, nr];
        var pCurve = new double[nc, nx];
        var rCurve = new double[nc, nx];
        var f1Curve = new double[nc, nx];

        int maxCount = 0;
        foreach (var cls in _perClass) maxCount = Math.Max(maxCount, cls.Count);
        var keys = new ulong[maxCount];
        var scores = new double[maxCount];
        var masks = new ushort[maxCount];
        var ignored = new ushort[maxCount];
        var recall = new double[maxCount];
        var precision = new double[maxCount];

        for (int c = 0; c < nc; c++)
        {
            int nGt = _instancesPerClass[c];
            if (nGt == 0)
            {
                for (int t = 0; t < nt; t++) ap[c, t] = -1;
                for (int r = 0; r < nr; r++) precisionAtRecall[c, r] = -1;
                continue;
            }

            // All images' detections of this class, concatenated in image order, stable-sorted by score descending.
            ClassResults cls = _perClass[c];
            int n = cls.Count;
            for (int i = 0; i < n; i++) keys[i] = ScoreOrder.DescendingKey(cls.Scores[i], (uint)i);
            keys.AsSpan(0, n).Sort();
            for (int i = 0; i < n; i++)
            {
                int src = (int)ScoreOrder.TieBreak(keys[i]);
                scores[i] = cls.Scores[src];
                masks[i] = cls.Matches[src];
                ignored[i] = cls.Ignored[src];
            }

            for (int t = 0; t < nt; t++)
            {
                CocoPrecisionCurve(masks, ignored, n, t, nGt, recall, precision);
                double sum = 0;
                int idx = 0;
                for (int r = 0; r < nr; r++)
                {
                    // searchsorted(recall, threshold, 'left'): first index whose recall reaches the threshold.
                    while (idx < n && recall[idx] < recallGrid[r]) idx++;
                    double q = idx < n ? precision[idx] : 0;
                    sum += q;
                    if (t == 0) precisionAtRecall[c, r] = q;
                }
                ap[c, t] = sum / nr;
            }

            UltralyticsCurves(c, masks, scores, n, nGt, confGrid, recall, precision, pCurve, rCurve, f1Curve);
        }

        int best = BestF1Index(f1Curve, _instancesPerClass, nc, nx);
        return new DetectionMetrics(_imageCount, (int[])_instancesPerClass.Clone(), (int[])_imagesPerClass.Clone(),
            (double[])_iouThresholds.Clone(), ap, recallGrid, precisionAtRecall, confGrid, pCurve, rCurve, f1Curve, best);
    }

    /// <summary>
    /// pycocotools accumulate for one class and IoU threshold: cumulative recall and right-to-left monotone precision;
    /// detections ignored at this threshold (matched to a crowd region) keep their place but add to neither count.
    /// </summary>
    private static void CocoPrecisionCurve(ushort[] masks, ushort[] ignored, int n, int t, int nGt, double[] recall, double[] precision)
    {
        double tp = 0, fp = 0;
        ushort bit = (ushort)(1 << t);
        for (int i = 0; i < n; i++)
        {
            if ((ignored[i] & bit) != 0) { }
            else if ((masks[i] & bit) != 0) tp++;
            else fp++;
            recall[i] = tp / nGt;
            precision[i] = tp / (fp + tp + PrecisionEps);
        }
        for (int i = n - 1; i > 0; i--)
        {
            if (precision[i] > precision[i - 1]) precision[i - 1] = precision[i];
        }
    }

    /// <summary>
    /// Ultralytics ap_per_class curves at IoU 0.5: recall and precision against confidence, sampled on the confidence grid with
    /// np.interp semantics (left value 0 for recall, 1 for precision; right value = last point). True positives come from the
    /// same per-image greedy COCO matching as the AP (Ultralytics itself matches by IoU order in match_predictions).
    /// Tied confidences stay in image/input order; Ultralytics' unstable argsort can order them differently, which only
    /// changes the interpolated segment just above a run of ties (its end point is the run's first element).
    /// </summary>
    internal static void UltralyticsCurves(int c, ushort[] masks, double[] scores, int n, int nGt, double[] confGrid,
        double[] recall, double[] precision, double[,] pCurve, double[,] rCurve, double[,] f1Curve)
    {
        int nx = confGrid.Length;
        if (n == 0) return; // no predictions: Ultralytics leaves both curves at 0
        double tpc = 0, fpc = 0;
        for (int i = 0; i < n; i++)
        {
            if ((masks[i] & 1) != 0) tpc++; else fpc++;
            recall[i] = tpc / (nGt + UltralyticsEps);
            precision[i] = tpc / (tpc + fpc);
        }

        // np.interp(-x, -conf, y): j = last sample with conf >= x; x grows, so j only moves left.
        int count = n;
        for (int xi = 0; xi < nx; xi++)
        {
            double x = confGrid[xi];
            while (count > 0 && scores[count - 1] < x) count--;
            int j = count - 1;
            double r, p;
            if (j < 0) { r = 0; p = 1; }
            else if (j == n - 1 || scores[j] == x) { r = recall[j]; p = precision[j]; }
            else
            {
                double q = -x, xj = -scores[j], xk = -scores[j + 1];
                r = (recall[j + 1] - recall[j]) / (xk - xj) * (q - xj) + recall[j];
                p = (precision[j + 1] - precision[j]) / (xk - xj) * (q - xj) + precision[j];
            }
            pCurve[c, xi] = p;
            rCurve[c, xi] = r;
            f1Curve[c, xi] = 2 * p * r / (p + r + UltralyticsEps);
        }
    }

    /// <summary>
    /// Argmax of the class-mean F1 curve after Ultralytics' smooth(y, 0.1): a 101-point box filter with edge replication
    /// (not a 3-point one), summed directly so equal windows give bit-identical values and ties resolve to the first index.
    /// </summary>
    internal static int BestF1Index(double[,] f1Curve, int[] instancesPerClass, int nc, int nx)
    {
        int classes = 0;
        var mean = new double[nx];
        for (int c = 0; c < nc; c++)
        {
            if (instancesPerClass[c] == 0) continue;
            classes++;
            for (int i = 0; i < nx; i++) mean[i] += f1Curve[c, i];
        }
        if (classes == 0) return 0;
        for (int i = 0; i < nx; i++) mean[i] /= classes;

        int filter = (int)Math.Round(nx * 0.1 * 2, MidpointRounding.ToEven) / 2 + 1;
        int half = filter / 2;
        double weight = 1.0 / filter;
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < nx; i++)
        {
            double s = 0;
            for (int k = i - half; k <= i + half; k++) s += mean[Math.Clamp(k, 0, nx - 1)] * weight;
            if (s > bestValue) { bestValue = s; best = i; }
        }
        return best;
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[Math.Max(size, buffer.Length * 2)];
    }

    /// <summary>One class's kept detections over all images so far: score and per-IoU-threshold match bits, in image order.</summary>
    private sealed class ClassResults
    {
        public float[] Scores = new float[16];
        public ushort[] Matches = new ushort[16];
        public ushort[] Ignored = new ushort[16];
        public int Count;

        public void Add(float score, ushort matches, ushort ignored)
        {
            if (Count == Scores.Length)
            {
                Array.Resize(ref Scores, Count * 2);
                Array.Resize(ref Matches, Count * 2);
                Array.Resize(ref Ignored, Count * 2);
            }
            Scores[Count] = score;
            Matches[Count] = matches;
            Ignored[Count] = ignored;
            Count++;
        }
    }
}
