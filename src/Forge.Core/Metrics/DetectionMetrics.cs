namespace Forge.Core.Metrics;

/// <summary>
/// Immutable result of <see cref="DetectionEvaluator.Compute"/>. The arrays are owned by this object and never change after
/// construction; callers must treat them as read-only (they are exposed as arrays so hot plotting/logging loops index them directly).
/// COCO quantities follow pycocotools COCOeval (bbox, area 'all'); P/R/F1 follow Ultralytics <c>ap_per_class</c>.
/// Per-class entries for classes without ground truth are -1 for AP values and 0 for P/R/F1; every mean skips those classes,
/// and is 0 (not COCO's -1) when no class has ground truth so that fitness stays usable.
/// </summary>
public sealed class DetectionMetrics
{
    internal DetectionMetrics(
        int imageCount, int[] instancesPerClass, int[] imagesPerClass, double[] iouThresholds,
        double[,] apPerClassPerIou, double[] recallGrid, double[,] precisionAtRecall,
        double[] confidenceGrid, double[,] precisionVsConf, double[,] recallVsConf, double[,] f1VsConf, int bestConfidenceIndex)
    {
        int nc = instancesPerClass.Length;
        NumClasses = nc;
        ImageCount = imageCount;
        InstancesPerClass = instancesPerClass;
        ImagesPerClass = imagesPerClass;
        IouThresholds = iouThresholds;
        ApPerClassPerIou = apPerClassPerIou;
        RecallGrid = recallGrid;
        PrecisionAtRecall = precisionAtRecall;
        ConfidenceGrid = confidenceGrid;
        PrecisionVsConf = precisionVsConf;
        RecallVsConf = recallVsConf;
        F1VsConf = f1VsConf;

        int t75 = Array.FindIndex(iouThresholds, t => Math.Abs(t - 0.75) < 1e-9);
        Ap50PerClass = new double[nc];
        Ap75PerClass = new double[nc];
        Ap50To95PerClass = new double[nc];
        PrecisionPerClass = new double[nc];
        RecallPerClass = new double[nc];
        F1PerClass = new double[nc];
        int classesWithGt = 0, instances = 0;
        double sum50 = 0, sum75 = 0, sum5095 = 0, sumP = 0, sumR = 0;
        for (int c = 0; c < nc; c++)
        {
            instances += instancesPerClass[c];
            if (instancesPerClass[c] == 0)
            {
                Ap50PerClass[c] = Ap75PerClass[c] = Ap50To95PerClass[c] = -1;
                continue;
            }
            classesWithGt++;
            double all = 0;
            for (int t = 0; t < iouThresholds.Length; t++) all += apPerClassPerIou[c, t];
            Ap50PerClass[c] = apPerClassPerIou[c, 0];
            Ap75PerClass[c] = apPerClassPerIou[c, t75];
            Ap50To95PerClass[c] = all / iouThresholds.Length;
            PrecisionPerClass[c] = precisionVsConf[c, bestConfidenceIndex];
            RecallPerClass[c] = recallVsConf[c, bestConfidenceIndex];
            F1PerClass[c] = f1VsConf[c, bestConfidenceIndex];
            sum50 += Ap50PerClass[c];
            sum75 += Ap75PerClass[c];
            sum5095 += Ap50To95PerClass[c];
            sumP += PrecisionPerClass[c];
            sumR += RecallPerClass[c];
        }
        InstanceCount = instances;
        ClassesWithGroundTruth = classesWithGt;
        if (classesWithGt > 0)
        {
            Map50 = sum50 / classesWithGt;
            Map75 = sum75 / classesWithGt;
            Map50To95 = sum5095 / classesWithGt;
            Precision = sumP / classesWithGt;
            Recall = sumR / classesWithGt;
            BestF1Confidence = confidenceGrid[bestConfidenceIndex];
        }
    }

    public int NumClasses { get; }
    public int ImageCount { get; }
    /// <summary>Total ground-truth boxes.</summary>
    public int InstanceCount { get; }
    /// <summary>Classes with at least one ground-truth box; the means are over these.</summary>
    public int ClassesWithGroundTruth { get; }
    /// <summary>Ground-truth boxes per class.</summary>
    public int[] InstancesPerClass { get; }
    /// <summary>Images containing at least one ground-truth box of the class.</summary>
    public int[] ImagesPerClass { get; }

    /// <summary>The 10 COCO IoU thresholds 0.50, 0.55, ..., 0.95 (columns of <see cref="ApPerClassPerIou"/>).</summary>
    public double[] IouThresholds { get; }
    /// <summary>COCO 101-point AP, classes x IoU thresholds; -1 for a class without ground truth.</summary>
    public double[,] ApPerClassPerIou { get; }
    public double[] Ap50PerClass { get; }
    public double[] Ap75PerClass { get; }
    public double[] Ap50To95PerClass { get; }
    public double Map50 { get; }
    public double Map75 { get; }
    public double Map50To95 { get; }

    /// <summary>Mean over classes of precision at <see cref="BestF1Confidence"/> (IoU 0.5).</summary>
    public double Precision { get; }
    /// <summary>Mean over classes of recall at <see cref="BestF1Confidence"/> (IoU 0.5).</summary>
    public double Recall { get; }
    public double[] PrecisionPerClass { get; }
    public double[] RecallPerClass { get; }
    public double[] F1PerClass { get; }
    /// <summary>Confidence that maximises the smoothed class-mean F1 curve.</summary>
    public double BestF1Confidence { get; }

    /// <summary>The 101 COCO recall thresholds 0, 0.01, ..., 1.</summary>
    public double[] RecallGrid { get; }
    /// <summary>Interpolated COCO precision at IoU 0.5 for each recall threshold, classes x 101; -1 rows for classes without ground truth.</summary>
    public double[,] PrecisionAtRecall { get; }

    /// <summary>1000 confidences linspace(0, 1).</summary>
    public double[] ConfidenceGrid { get; }
    /// <summary>Classes x 1000 precision at IoU 0.5 as a function of confidence (Ultralytics p_curve).</summary>
    public double[,] PrecisionVsConf { get; }
    public double[,] RecallVsConf { get; }
    public double[,] F1VsConf { get; }

    /// <summary>Ultralytics model-selection score.</summary>
    public double Fitness => 0.1 * Map50 + 0.9 * Map50To95;
}
