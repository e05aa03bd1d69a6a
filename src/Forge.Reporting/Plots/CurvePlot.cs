using ScottPlot;

namespace Forge.Reporting.Plots;

/// <summary>
/// The evaluation curves of a validation, as Ultralytics draws them (utils/metrics.py plot_pr_curve, plot_mc_curve):
/// precision-recall and metric-vs-confidence (F1, precision, recall), one thin line per class (coloured and named with its
/// value in the legend up to 20 classes, grey beyond) and a thick blue line for the mean over classes. The classes given
/// should be those with ground truth; the legend sits outside the axes on the right.
/// </summary>
public static class CurvePlot
{
    const int Width = 1800, Height = 1200;
    const float Scale = 2f;
    /// <summary>Up to this many classes get their own colour and legend entry, as in Ultralytics (0 &lt; nc &lt; 21).</summary>
    const int MaxClassesInLegend = 20;
    static readonly Color MeanColor = Color.FromHex("#0000ff");

    /// <summary>
    /// PR_curve.png: <paramref name="precisionPerClass"/>[c, i] is class c's precision at <paramref name="recall"/>[i]; the
    /// legend gives each class' AP@0.5 and their mean (mAP@0.5).
    /// </summary>
    /// <exception cref="ArgumentException">The arrays' shapes disagree (the message says which).</exception>
    public static void RenderPrCurve(double[] recall, double[,] precisionPerClass, string[] classNames, double[] apPerClass, string path) =>
        PlotStyle.Save(RenderPrCurveImage(recall, precisionPerClass, classNames, apPerClass), path);

    public static Image RenderPrCurveImage(double[] recall, double[,] precisionPerClass, string[] classNames, double[] apPerClass)
    {
        int classes = CheckShape(recall, precisionPerClass, classNames, "recall", "precisionPerClass");
        if (apPerClass.Length != classes)
            throw new ArgumentException($"apPerClass has {apPerClass.Length} values but precisionPerClass has {classes} classes (rows)");
        var plot = NewUnitPlot("Precision-Recall Curve", "Recall", "Precision");
        AddClassLines(plot, recall, precisionPerClass, classNames, c => $"{classNames[c]} {apPerClass[c]:F3}");
        AddMean(plot, recall, MeanOverClasses(precisionPerClass), $"all classes {MeanFinite(apPerClass):F3} mAP@0.5");
        return plot.GetImage(Width, Height);
    }

    /// <summary>
    /// F1_curve.png, P_curve.png, R_curve.png: <paramref name="valuePerClass"/>[c, i] is class c's metric (named by
    /// <paramref name="yLabel"/>) at confidence threshold <paramref name="conf"/>[i]. The mean over classes is smoothed as
    /// Ultralytics does (a moving average over 5% of the thresholds) and the legend gives its best value and where it occurs.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays' shapes disagree (the message says which).</exception>
    public static void RenderConfidenceCurve(double[] conf, double[,] valuePerClass, string[] names, string yLabel, string path) =>
        PlotStyle.Save(RenderConfidenceCurveImage(conf, valuePerClass, names, yLabel), path);

    public static Image RenderConfidenceCurveImage(double[] conf, double[,] valuePerClass, string[] names, string yLabel)
    {
        CheckShape(conf, valuePerClass, names, "conf", "valuePerClass");
        var plot = NewUnitPlot($"{yLabel}-Confidence Curve", "Confidence", yLabel);
        AddClassLines(plot, conf, valuePerClass, names, c => names[c]);
        double[] mean = MeanOverClasses(valuePerClass);
        if (mean.Any(double.IsFinite)) mean = Smoothing.Box(mean.Select(v => double.IsFinite(v) ? v : 0).ToArray(), 0.05);
        int best = -1;
        for (int i = 0; i < mean.Length; i++)
            if (double.IsFinite(mean[i]) && (best < 0 || mean[i] > mean[best])) best = i;
        AddMean(plot, conf, mean, best < 0 ? "all classes" : $"all classes {mean[best]:F2} at {conf[best]:F3}");
        return plot.GetImage(Width, Height);
    }

    static Plot NewUnitPlot(string title, string xLabel, string yLabel)
    {
        var plot = PlotStyle.NewPlot(Scale);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(0, 1, 0, 1);
        double[] ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
        string[] labels = ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"];
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks(ticks, labels);
        return plot;
    }

    static void AddClassLines(Plot plot, double[] x, double[,] values, string[] names, Func<int, string> legendName)
    {
        int classes = values.GetLength(0);
        bool named = classes <= MaxClassesInLegend;
        for (int c = 0; c < classes; c++)
        {
            var y = new double[x.Length];
            for (int i = 0; i < y.Length; i++) y[i] = values[c, i];
            var (xs, ys) = PlotStyle.Finite(x, y);
            if (xs.Length == 0) continue;
            var line = plot.Add.ScatterLine(xs, ys, named ? PlotStyle.Cycle[c % PlotStyle.Cycle.Length] : PlotStyle.Grey);
            line.LineWidth = 1;
            if (named) line.LegendText = legendName(c);
        }
    }

    static void AddMean(Plot plot, double[] x, double[] mean, string label)
    {
        var (xs, ys) = PlotStyle.Finite(x, mean);
        var line = plot.Add.ScatterLine(xs, ys, MeanColor);
        line.LineWidth = 3;
        line.LegendText = label;
        plot.ShowLegend(Edge.Right);
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.Legend.SetBestFontOnEachRender = false;
        plot.Legend.FontName = PlotFonts.For(string.Concat(plot.GetPlottables().Select(p => (p as ScottPlot.Plottables.Scatter)?.LegendText)));
    }

    static int CheckShape(double[] x, double[,] values, string[] names, string xName, string valuesName)
    {
        int classes = values.GetLength(0);
        if (values.GetLength(1) != x.Length)
            throw new ArgumentException($"{valuesName} has {values.GetLength(1)} columns but {xName} has {x.Length} points; expected [classes, {x.Length}]");
        if (names.Length != classes)
            throw new ArgumentException($"{names.Length} class names given for {classes} classes (rows of {valuesName})");
        return classes;
    }

    static double[] MeanOverClasses(double[,] values)
    {
        int classes = values.GetLength(0), n = values.GetLength(1);
        var mean = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0; int count = 0;
            for (int c = 0; c < classes; c++)
                if (double.IsFinite(values[c, i])) { sum += values[c, i]; count++; }
            mean[i] = count > 0 ? sum / count : double.NaN;
        }
        return mean;
    }

    static double MeanFinite(double[] values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length > 0 ? finite.Average() : double.NaN;
    }
}
