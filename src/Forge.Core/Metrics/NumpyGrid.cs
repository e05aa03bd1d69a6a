namespace Forge.Core.Metrics;

/// <summary>Evaluation grids built exactly like numpy.linspace (start + i * step, last point set to stop), so threshold
/// comparisons such as searchsorted land on the same side as in pycocotools / Ultralytics.</summary>
internal static class NumpyGrid
{
    public static double[] Linspace(double start, double stop, int count)
    {
        var grid = new double[count];
        if (count == 1) { grid[0] = start; return grid; }
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++) grid[i] = i * step + start;
        grid[count - 1] = stop;
        return grid;
    }

    /// <summary>COCO IoU thresholds 0.50:0.05:0.95.</summary>
    public static double[] CocoIouThresholds() => Linspace(0.5, 0.95, 10);

    /// <summary>COCO recall thresholds 0:0.01:1.</summary>
    public static double[] CocoRecallThresholds() => Linspace(0.0, 1.0, 101);

    /// <summary>Ultralytics confidence grid for P/R/F1 curves.</summary>
    public static double[] ConfidenceGrid() => Linspace(0.0, 1.0, 1000);
}
