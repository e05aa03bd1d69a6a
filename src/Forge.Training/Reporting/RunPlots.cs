using Forge.Core.Geometry;
using Forge.Data.Imaging;
using Forge.Data.Loading;
using Forge.Data.Plots;
using Forge.Training.Validation;

namespace Forge.Training.Reporting;

/// <summary>The PNG plots of a run (Ultralytics' file names): results, PR and F1/P/R curves, confusion matrices, a training batch.</summary>
public static class RunPlots
{
    public static void WriteResultsPlot(RunFolder run, TextWriter log) =>
        Guard(log, "results.png", () => ResultsPlot.Render(run.ResultsCsv, run.File("results.png")));

    public static void WriteValidationPlots(RunFolder run, ValidationResult result, string[] names, TextWriter log)
    {
        var m = result.Metrics;
        Guard(log, "PR_curve.png", () => CurvePlot.RenderPrCurve(m.RecallGrid, m.PrecisionAtRecall, names, m.Ap50PerClass, run.File("PR_curve.png")));
        Guard(log, "F1_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, m.F1VsConf, names, "F1", run.File("F1_curve.png")));
        Guard(log, "P_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, m.PrecisionVsConf, names, "Precision", run.File("P_curve.png")));
        Guard(log, "R_curve.png", () => CurvePlot.RenderConfidenceCurve(m.ConfidenceGrid, m.RecallVsConf, names, "Recall", run.File("R_curve.png")));
        var withBackground = names.Append("background").ToArray();
        var counts = result.Confusion.Matrix;
        var raw = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int i = 0; i < raw.GetLength(0); i++) for (int j = 0; j < raw.GetLength(1); j++) raw[i, j] = counts[i, j];
        Guard(log, "confusion_matrix.png", () => ConfusionMatrixPlot.Render(raw, withBackground, normalized: false, run.File("confusion_matrix.png")));
        Guard(log, "confusion_matrix_normalized.png", () => ConfusionMatrixPlot.Render(result.Confusion.Normalized(), withBackground, normalized: true, run.File("confusion_matrix_normalized.png")));
    }

    /// <summary>A mosaic of the first images of a training batch with their boxes (train_batchN.jpg), to eyeball augmentation.</summary>
    public static void WriteTrainBatch(RunFolder run, Batch batch, string[] names, int number, TextWriter log) =>
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
                    for (int c = 0; c < 3; c++) img.Pixels[p * 3 + c] = (byte)Math.Clamp(src[c * plane + p] * 255f + 0.5f, 0, 255);
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
            TiledImages.Render(images, boxes, names, run.File($"train_batch{number}.jpg"));
        });

    // A plot is a convenience: failing to draw one must never fail a training run.
    static void Guard(TextWriter log, string what, Action draw)
    {
        try { draw(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.WriteLine($"WARNING: could not write {what}: {e.Message}");
        }
    }
}
