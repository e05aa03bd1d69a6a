using Forge.Core.Geometry;
using Forge.Core.Metrics;
using Forge.Data.Datasets;
using Forge.Data.Imaging;
using Forge.Data.Loading;
using Forge.Reporting.Plots;

namespace Forge.Reporting;

/// <summary>
/// The images a run writes into its folder, under Ultralytics' file names: labels.jpg, train_batch0-2.jpg, results.png,
/// PR_curve.png, F1/P/R_curve.png, confusion_matrix(_normalized).png. A plot is a convenience: one that fails is reported
/// as a warning on the log and never fails the run.
/// </summary>
public static class RunPlots
{
    /// <summary>results.png from the folder's results.csv.</summary>
    public static void WriteResultsPlot(string runFolder, TextWriter log) =>
        Guard(log, "results.png", () => ResultsPlot.Render(Path.Combine(runFolder, "results.csv"), Path.Combine(runFolder, "results.png")));

    /// <summary>labels.jpg: the training labels' classes, centres and sizes (normalised xywh, as in the label files).</summary>
    public static void WriteLabels(string runFolder, IEnumerable<ObjectLabel> labels, string[] names, TextWriter log) =>
        Guard(log, "labels.jpg", () => LabelsPlot.Render(labels.Select(l => (l.ClassId, l.Cx, l.Cy, l.W, l.H)).ToList(), names,
                                                          Path.Combine(runFolder, "labels.jpg")));

    /// <summary>The precision-recall, F1/P/R-confidence curves and both confusion matrices of one validation.</summary>
    public static void WriteValidationPlots(string runFolder, DetectionMetrics m, ConfusionMatrix confusion, string[] names, TextWriter log)
    {
        string File(string name) => Path.Combine(runFolder, name);
        // The curves of the classes with ground truth, as Ultralytics plots them (a class absent from the split has no curve).
        int[] present = Enumerable.Range(0, m.NumClasses).Where(c => m.InstancesPerClass[c] > 0).ToArray();
        string[] presentNames = present.Select(c => c < names.Length ? names[c] : $"class{c}").ToArray();
        double[,] Rows(double[,] perClass)
        {
            var rows = new double[present.Length, perClass.GetLength(1)];
            for (int i = 0; i < present.Length; i++)
                for (int j = 0; j < rows.GetLength(1); j++) rows[i, j] = perClass[present[i], j];
            return rows;
        }
        double[] ap50 = present.Select(c => m.Ap50PerClass[c]).ToArray();
        Guard(log, "PR_curve.png", () => CurvePlot.RenderPrCurve(m.RecallGrid, Rows(m.PrecisionAtRecall), presentNames, ap50, File("PR_curve.png")));
        Guard(log, "F1_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, Rows(m.F1VsConf), presentNames, "F1", File("F1_curve.png")));
        Guard(log, "P_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, Rows(m.PrecisionVsConf), presentNames, "Precision", File("P_curve.png")));
        Guard(log, "R_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, Rows(m.RecallVsConf), presentNames, "Recall", File("R_curve.png")));
        var withBackground = names.Append("background").ToArray();
        var counts = confusion.Matrix;
        var raw = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int i = 0; i < raw.GetLength(0); i++) for (int j = 0; j < raw.GetLength(1); j++) raw[i, j] = counts[i, j];
        Guard(log, "confusion_matrix.png", () => ConfusionMatrixPlot.Render(raw, withBackground, normalized: false, File("confusion_matrix.png")));
        Guard(log, "confusion_matrix_normalized.png",
              () => ConfusionMatrixPlot.Render(confusion.Normalized(), withBackground, normalized: true, File("confusion_matrix_normalized.png")));
    }

    /// <summary>A mosaic of the first images of a training batch with their boxes (train_batchN.jpg), to eyeball augmentation.</summary>
    public static void WriteTrainBatch(string runFolder, Batch batch, string[] names, int number, TextWriter log) =>
        Guard(log, $"train_batch{number}.jpg", () =>
        {
            int n = Math.Min(batch.Size, 16);
            var images = new List<RgbImage>(n);
            var boxes = new List<IReadOnlyList<(BoxF, int, float?)>>(n);
            int plane = batch.Height * batch.Width;
            for (int i = 0; i < n; i++)
            {
                var img = new RgbImage(batch.Width, batch.Height);
                var src = batch.Images.AsSpan(i * 3 * plane, 3 * plane);
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++) img.Pixels[p * 3 + c] = src[c * plane + p];
                images.Add(img);
                var list = new List<(BoxF, int, float?)>();
                for (int r = 0; r < batch.TargetCount; r++)
                {
                    var t = batch.Targets.AsSpan(r * 6, 6);
                    if ((int)t[0] != i) continue;
                    list.Add((BoxF.FromCenter(t[2] * batch.Width, t[3] * batch.Height, t[4] * batch.Width, t[5] * batch.Height), (int)t[1], null));
                }
                boxes.Add(list);
            }
            TiledImages.Render(images, boxes, names, Path.Combine(runFolder, $"train_batch{number}.jpg"));
        });

    static void Guard(TextWriter log, string what, Action draw)
    {
        try { draw(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.WriteLine($"WARNING: could not write {what}: {e.Message}");
        }
    }
}
