using Forge.Data.Imaging;

namespace Forge.Data.Plots;

/// <summary>
/// Evaluation curves: precision-recall and metric-vs-confidence (F1, precision, recall), one thin grey line per class
/// and a thick line for the mean over classes, summarised in the legend.
/// </summary>
public static class CurvePlot
{
    const int DefaultWidth = 800, DefaultHeight = 600;
    static readonly Rgb ClassLine = Rgb.Gray(175);
    static readonly Rgb MeanLine = Palette.ForClass(2);
    /// <summary>Up to this many classes get their own legend line with their AP; more would crowd the chart.</summary>
    const int MaxClassesInLegend = 10;

    /// <summary>
    /// <paramref name="precisionPerClass"/>[c, i] is class c's precision at <paramref name="recall"/>[i];
    /// the legend gives each class' AP@0.5 and the mean (mAP@0.5).
    /// </summary>
    public static void RenderPrCurve(double[] recall, double[,] precisionPerClass, string[] classNames, double[] apPerClass, string path) =>
        RenderPrCurveImage(recall, precisionPerClass, classNames, apPerClass).Save(path);

    public static RgbImage RenderPrCurveImage(double[] recall, double[,] precisionPerClass, string[] classNames, double[] apPerClass,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        int classes = CheckShape(recall, precisionPerClass, classNames, "recall", "precisionPerClass");
        if (apPerClass.Length != classes)
            throw new ArgumentException($"apPerClass has {apPerClass.Length} values but precisionPerClass has {classes} classes (rows)");
        var chart = NewUnitChart("Precision-Recall Curve", "Recall", "Precision");
        chart.Legend = LegendPosition.BottomLeft;
        AddClassLines(chart, recall, precisionPerClass, classNames, c => $"{classNames[c]} {apPerClass[c]:F3}");
        chart.Series.Add(new LineSeries($"all classes {MeanFinite(apPerClass):F3} mAP@0.5", Points(recall, MeanOverClasses(precisionPerClass)))
            { Color = MeanLine, Thickness = 3 });
        return chart.Render(width, height);
    }

    /// <summary>
    /// <paramref name="valuePerClass"/>[c, i] is class c's metric (F1, precision or recall, named by <paramref name="yLabel"/>)
    /// at confidence threshold <paramref name="conf"/>[i]; the legend gives the mean's best value and where it occurs.
    /// </summary>
    public static void RenderConfidenceCurve(double[] conf, double[,] valuePerClass, string[] names, string yLabel, string path) =>
        RenderConfidenceCurveImage(conf, valuePerClass, names, yLabel).Save(path);

    public static RgbImage RenderConfidenceCurveImage(double[] conf, double[,] valuePerClass, string[] names, string yLabel,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        CheckShape(conf, valuePerClass, names, "conf", "valuePerClass");
        var chart = NewUnitChart($"{yLabel}-Confidence Curve", "Confidence", yLabel);
        AddClassLines(chart, conf, valuePerClass, names, c => names[c]);
        double[] mean = MeanOverClasses(valuePerClass);
        int best = -1;
        for (int i = 0; i < mean.Length; i++)
            if (double.IsFinite(mean[i]) && (best < 0 || mean[i] > mean[best])) best = i;
        string label = best < 0 ? "all classes" : $"all classes {mean[best]:F2} at {conf[best]:F3}";
        chart.Series.Add(new LineSeries(label, Points(conf, mean)) { Color = MeanLine, Thickness = 3 });
        return chart.Render(width, height);
    }

    static LineChart NewUnitChart(string title, string xLabel, string yLabel) => new()
    {
        Title = title, XLabel = xLabel, YLabel = yLabel, XRange = (0, 1), YRange = (0, 1.02), TextScale = 1,
    };

    static void AddClassLines(LineChart chart, double[] x, double[,] values, string[] names, Func<int, string> legendName)
    {
        int classes = values.GetLength(0);
        bool legend = classes <= MaxClassesInLegend;
        for (int c = 0; c < classes; c++)
        {
            var y = new double[x.Length];
            for (int i = 0; i < y.Length; i++) y[i] = values[c, i];
            chart.Series.Add(new LineSeries(legend ? legendName(c) : "", Points(x, y)) { Color = ClassLine, Thickness = 1, ShowInLegend = legend });
        }
        if (!legend && classes > 0)
            chart.Series.Add(new LineSeries($"{classes} classes", []) { Color = ClassLine, Thickness = 1 });
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

    static (double, double)[] Points(double[] x, double[] y)
    {
        var points = new (double, double)[x.Length];
        for (int i = 0; i < x.Length; i++) points[i] = (x[i], y[i]);
        return points;
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
        double sum = 0; int count = 0;
        foreach (double v in values) if (double.IsFinite(v)) { sum += v; count++; }
        return count > 0 ? sum / count : double.NaN;
    }
}
