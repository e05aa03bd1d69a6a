namespace Forge.Core.Metrics;

// Imported inside the namespace: from Forge.Core.Metrics the name "Detection" would otherwise resolve to the namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Core.Numerics;

/// <summary>
/// Ultralytics' own validation metrics (ultralytics 8.3.57: engine/validator.py match_predictions,
/// utils/metrics.py ap_per_class and compute_ap), the figures `yolo val` prints:
/// <list type="bullet">
/// <item>per image, every detection (NMS already capped them at max_det) is matched in float32: IoU = inter / (area1 + area2
/// - inter + 1e-7) with classes required to agree; per threshold, candidate pairs are sorted by IoU (numpy's argsort,
/// reversed), each detection keeps its best pair, then each ground truth the lowest-numbered detection among those;</item>
/// <item>all detections of all images in feeding order are sorted by confidence (numpy's unstable argsort, reproduced exactly);</item>
/// <item>AP per class and IoU threshold: precision envelope of the (0, 1)-(1, 0)-padded curve, sampled at 101 recalls with
/// np.interp and integrated with the trapezoid rule; classes are those with ground truth.</item>
/// </list>
/// Feed images in the order Ultralytics' loader visits them (rectangular validation sorts them by aspect ratio) and
/// detections in NMS order, so tied confidences sort alike. Not thread-safe. <see cref="DetectionEvaluator"/> gives pycocotools' AP.
/// </summary>
public sealed class UltralyticsEvaluator
{
    const float IouEps = 1e-7f;
    const double Eps = 1e-16;

    readonly int _numClasses;
    readonly float[] _iouThresholds = TorchLinspace(0.5f, 0.95f, 10);
    readonly List<float> _conf = new();
    readonly List<int> _predClass = new();
    readonly List<ushort> _tp = new();
    readonly int[] _instancesPerClass;
    readonly int[] _imagesPerClass;
    int _imageCount;

    public UltralyticsEvaluator(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The evaluator needs at least one class.");
        _numClasses = numClasses;
        _instancesPerClass = new int[numClasses];
        _imagesPerClass = new int[numClasses];
    }

    public int NumClasses => _numClasses;
    public int ImageCount => _imageCount;

    /// <summary>torch.linspace for float32 on the CPU: start + step·i for the first half, end - step·(n - 1 - i) for the rest.</summary>
    static float[] TorchLinspace(float start, float end, int steps)
    {
        var v = new float[steps];
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) v[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        return v;
    }

    /// <summary>Adds one image: detections in NMS order (confidence descending), ground truth in any order. Every image should be added.</summary>
    public void AddImage(IReadOnlyList<Detection> detections, IReadOnlyList<LabeledBox> groundTruth)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(groundTruth);
        var seen = new HashSet<int>();
        foreach (var g in groundTruth)
        {
            CheckClass(g.ClassId, nameof(groundTruth));
            _instancesPerClass[g.ClassId]++;
            if (seen.Add(g.ClassId)) _imagesPerClass[g.ClassId]++;
        }
        foreach (var d in detections) CheckClass(d.ClassId, nameof(detections));
        var correct = Match(detections, groundTruth);
        for (int i = 0; i < detections.Count; i++)
        {
            _conf.Add(detections[i].Score);
            _predClass.Add(detections[i].ClassId);
            _tp.Add(correct[i]);
        }
        _imageCount++;
    }

    void CheckClass(int classId, string paramName)
    {
        if ((uint)classId >= (uint)_numClasses)
            throw new ArgumentOutOfRangeException(paramName, $"class id {classId} is outside 0..{_numClasses - 1}: the model's class count must match the dataset's names");
    }

    /// <summary>match_predictions without scipy: bit t of entry d is set when detection d is a true positive at threshold t.</summary>
    ushort[] Match(IReadOnlyList<Detection> dets, IReadOnlyList<LabeledBox> gts)
    {
        int nd = dets.Count, ng = gts.Count;
        var correct = new ushort[nd];
        if (nd == 0 || ng == 0) return correct;
        var iou = new float[ng * nd];
        for (int g = 0; g < ng; g++)
            for (int d = 0; d < nd; d++)
                iou[g * nd + d] = gts[g].ClassId == dets[d].ClassId ? Iou(gts[g].Box, dets[d].Box) : 0f;
        var pairs = new List<int>();
        var values = new List<double>();
        var detTaken = new bool[nd];
        var gtTaken = new bool[ng];
        for (int t = 0; t < _iouThresholds.Length; t++)
        {
            float threshold = _iouThresholds[t];
            pairs.Clear(); values.Clear();
            for (int k = 0; k < iou.Length; k++)          // np.nonzero: ground-truth-major order
                if (iou[k] >= threshold) { pairs.Add(k); values.Add(iou[k]); }
            if (pairs.Count == 0) continue;
            int[] order;
            if (pairs.Count == 1) order = [0];
            else
            {
                int[] ascending = NumpyArgsort.Argsort(values.ToArray().AsSpan());
                order = new int[ascending.Length];
                for (int k = 0; k < order.Length; k++) order[k] = ascending[ascending.Length - 1 - k];
            }
            // np.unique(detection column, return_index=True): each detection's first (best) pair, then in detection order.
            Array.Clear(detTaken);
            var best = new int[nd];
            Array.Fill(best, -1);
            foreach (int o in order)
            {
                int d = pairs[o] % nd;
                if (detTaken[d]) continue;
                detTaken[d] = true;
                best[d] = pairs[o] / nd;
            }
            // np.unique(ground-truth column, return_index=True) over that: each ground truth keeps its lowest detection.
            Array.Clear(gtTaken);
            for (int d = 0; d < nd; d++)
            {
                int g = best[d];
                if (g < 0 || gtTaken[g]) continue;
                gtTaken[g] = true;
                correct[d] |= (ushort)(1 << t);
            }
        }
        return correct;
    }

    /// <summary>Ultralytics box_iou in float32 with its eps.</summary>
    static float Iou(in BoxF a, in BoxF b)
    {
        float iw = Math.Max(Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1), 0f);
        float ih = Math.Max(Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1), 0f);
        float inter = iw * ih;
        float area1 = (a.X2 - a.X1) * (a.Y2 - a.Y1);
        float area2 = (b.X2 - b.X1) * (b.Y2 - b.Y1);
        return inter / (area1 + area2 - inter + IouEps);
    }

    /// <summary>ap_per_class over everything added so far (the evaluator does not change, so this may be called repeatedly).</summary>
    public DetectionMetrics Compute()
    {
        int nc = _numClasses, nt = _iouThresholds.Length, n = _conf.Count;
        double[] x = NumpyGrid.ConfidenceGrid();     // np.linspace(0, 1, 1000): confidences, and recalls of the PR curve
        double[] x101 = NumpyGrid.CocoRecallThresholds();
        var negConf = new double[n];
        for (int i = 0; i < n; i++) negConf[i] = -(double)_conf[i];
        int[] order = NumpyArgsort.Argsort(negConf);

        var ap = new double[nc, nt];
        var prCurve = new double[nc, x.Length];
        var pCurve = new double[nc, x.Length];
        var rCurve = new double[nc, x.Length];
        var f1Curve = new double[nc, x.Length];
        var members = new List<int>[nc];
        for (int c = 0; c < nc; c++) members[c] = new List<int>();
        foreach (int i in order) members[_predClass[i]].Add(i);

        var recall = new double[n];
        var precision = new double[n];
        for (int c = 0; c < nc; c++)
        {
            int nl = _instancesPerClass[c];
            if (nl == 0)
            {
                for (int t = 0; t < nt; t++) ap[c, t] = -1;
                for (int k = 0; k < x.Length; k++) prCurve[c, k] = -1;
                continue;
            }
            var m = members[c];
            int np = m.Count;
            if (np == 0) continue;   // AP 0, curves 0, as Ultralytics leaves them
            var scores = new double[np];
            var masks = new ushort[np];
            for (int k = 0; k < np; k++) { scores[k] = _conf[m[k]]; masks[k] = _tp[m[k]]; }
            DetectionEvaluator.UltralyticsCurves(c, masks, scores, np, nl, x, recall, precision, pCurve, rCurve, f1Curve);
            for (int t = 0; t < nt; t++)
            {
                Curve(masks, np, nl, t, recall, precision);
                var (mrec, mpre) = Envelope(recall, precision, np);
                ap[c, t] = Trapezoid(Interp(x101, mrec, mpre), x101);
                if (t == 0)
                {
                    var pr = Interp(x, mrec, mpre);
                    for (int k = 0; k < x.Length; k++) prCurve[c, k] = pr[k];
                }
            }
        }
        int best = DetectionEvaluator.BestF1Index(f1Curve, _instancesPerClass, nc, x.Length);
        var thresholds = _iouThresholds.Select(v => (double)v).ToArray();
        return new DetectionMetrics(_imageCount, (int[])_instancesPerClass.Clone(), (int[])_imagesPerClass.Clone(),
            thresholds, ap, x, prCurve, x, pCurve, rCurve, f1Curve, best);
    }

    /// <summary>tpc / (n_l + eps) and tpc / (tpc + fpc) at threshold <paramref name="t"/>, cumulative over the sorted detections.</summary>
    static void Curve(ushort[] masks, int n, int nl, int t, double[] recall, double[] precision)
    {
        double tpc = 0, fpc = 0;
        for (int i = 0; i < n; i++)
        {
            if ((masks[i] & (1 << t)) != 0) tpc++; else fpc++;
            recall[i] = tpc / (nl + Eps);
            precision[i] = tpc / (tpc + fpc);
        }
    }

    /// <summary>compute_ap's padded curve: recall [0, r..., 1], precision envelope of [1, p..., 0] (running maximum from the right).</summary>
    static (double[] Recall, double[] Precision) Envelope(double[] recall, double[] precision, int n)
    {
        var mrec = new double[n + 2];
        var mpre = new double[n + 2];
        mrec[0] = 0; mpre[0] = 1;
        for (int i = 0; i < n; i++) { mrec[i + 1] = recall[i]; mpre[i + 1] = precision[i]; }
        mrec[n + 1] = 1; mpre[n + 1] = 0;
        for (int i = n; i >= 0; i--) mpre[i] = Math.Max(mpre[i], mpre[i + 1]);
        return (mrec, mpre);
    }

    /// <summary>np.interp(x, xp, fp) for non-decreasing xp: the last xp[j] &lt;= x; its own value at a hit or the end, else linear to j + 1.</summary>
    internal static double[] Interp(double[] x, double[] xp, double[] fp)
    {
        var y = new double[x.Length];
        int n = xp.Length;
        for (int i = 0; i < x.Length; i++)
        {
            double q = x[i];
            if (q < xp[0]) { y[i] = fp[0]; continue; }
            if (q > xp[n - 1]) { y[i] = fp[n - 1]; continue; }
            int lo = 0, hi = n;   // first index with xp > q
            while (lo < hi)
            {
                int mid = lo + ((hi - lo) >> 1);
                if (q >= xp[mid]) lo = mid + 1; else hi = mid;
            }
            int j = lo - 1;
            if (j == n - 1 || xp[j] == q) y[i] = fp[j];
            else y[i] = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]) * (q - xp[j]) + fp[j];
        }
        return y;
    }

    /// <summary>np.trapz(y, x).</summary>
    static double Trapezoid(double[] y, double[] x)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i++) sum += (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
        return sum;
    }
}
