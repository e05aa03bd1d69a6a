using Forge.Data.Imaging;

namespace Forge.Data.Plots;

/// <summary>
/// An overview of a dataset's labels (like Ultralytics' labels.jpg): instances per class, box centres, box sizes,
/// and all boxes overlaid on one canvas, to spot class imbalance or odd annotations before training.
/// Labels are normalised (cx, cy, w, h in 0..1), as in YOLO label files.
/// </summary>
public static class LabelsPlot
{
    const int MaxOverlaidBoxes = 1000, MaxScatterPoints = 20000;

    public static void Render(IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, string[] names, string path) =>
        RenderImage(labels, names).Save(path);

    public static RgbImage RenderImage(IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, string[] names, int size = 800)
    {
        size = Math.Max(200, size);
        int half = size / 2;
        var image = RgbImage.Filled(size, size, 255);
        InstancesPerClass(image, labels, names, 0, 0, half, half);
        Scatter(image, labels, 0, half, half, half, "box centres", "x", "y", l => (l.X, l.Y));
        Scatter(image, labels, half, half, half, half, "box sizes", "width", "height", l => (l.W, l.H));
        Overlay(image, labels, half, 0, half, half);
        return image;
    }

    static void InstancesPerClass(RgbImage image, IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, string[] names,
        int x, int y, int w, int h)
    {
        int classes = names.Length;
        foreach (var l in labels) classes = Math.Max(classes, l.Class + 1);
        var counts = new int[classes];
        foreach (var l in labels) if (l.Class >= 0) counts[l.Class]++;
        int max = 0;
        foreach (int c in counts) max = Math.Max(max, c);
        var categories = new string[classes];
        for (int i = 0; i < classes; i++) categories[i] = i < names.Length ? names[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var area = PlotArea.Layout(x, y, w, h, 1, "instances per class", null, "instances",
            (-0.5, Math.Max(1, classes) - 0.5), (0, Math.Max(1, max) * 1.08), categories);
        area.DrawAxes(image);
        float barHalf = Math.Max(1f, area.Width / (float)Math.Max(1, classes) * 0.35f);
        for (int i = 0; i < classes; i++)
        {
            if (counts[i] == 0) continue;
            float cx = area.PixelX(i), top = area.PixelY(counts[i]);
            Drawing.FillRectangle(image, (int)MathF.Round(cx - barHalf), (int)MathF.Round(top), (int)MathF.Round(2 * barHalf),
                area.Bottom - (int)MathF.Round(top), Palette.ForClass(i));
        }
        if (labels.Count == 0) area.DrawNote(image, "no labels");
    }

    static void Scatter(RgbImage image, IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, int x, int y, int w, int h,
        string title, string xLabel, string yLabel, Func<(int Class, float X, float Y, float W, float H), (float, float)> select)
    {
        var area = PlotArea.Layout(x, y, w, h, 1, title, xLabel, yLabel, (0, 1), (0, 1));
        area.DrawAxes(image);
        // Faint dots: dense regions darken, so the plot reads as a density without binning.
        int step = Math.Max(1, labels.Count / MaxScatterPoints);
        for (int i = 0; i < labels.Count; i += step)
        {
            var (px, py) = select(labels[i]);
            if (!float.IsFinite(px) || !float.IsFinite(py) || px < 0 || px > 1 || py < 0 || py > 1) continue;
            Drawing.FillCircle(image, area.PixelX(px), area.PixelY(py), 1.6f, Palette.ForClass(2), antialias: true, alpha: 0.35f);
        }
    }

    static void Overlay(RgbImage image, IReadOnlyList<(int Class, float X, float Y, float W, float H)> labels, int x, int y, int w, int h)
    {
        const int pad = 16;
        int side = Math.Min(w, h) - 2 * pad - 12;
        int ox = x + (w - side) / 2, oy = y + pad + 12;
        Drawing.Text(image, ox, y + pad - 4, "all boxes, centred", PlotArea.TextColor, 1);
        Drawing.Rectangle(image, new(ox - 1, oy - 1, ox + side + 1, oy + side + 1), PlotArea.FrameColor, 1);
        int count = Math.Min(labels.Count, MaxOverlaidBoxes);
        for (int i = 0; i < count; i++)
        {
            var l = labels[i];
            if (!(l.W > 0) || !(l.H > 0)) continue;
            float bw = Math.Min(1f, l.W) * side, bh = Math.Min(1f, l.H) * side;
            float cx = ox + side * 0.5f, cy = oy + side * 0.5f;
            var color = Palette.ForClass(l.Class);
            // Outline as four thin translucent strips, so overlapping outlines accumulate.
            int x1 = (int)(cx - bw / 2), y1 = (int)(cy - bh / 2), x2 = (int)(cx + bw / 2), y2 = (int)(cy + bh / 2);
            Drawing.FillRectangle(image, x1, y1, x2 - x1, 1, color, 0.3f);
            Drawing.FillRectangle(image, x1, y2, x2 - x1, 1, color, 0.3f);
            Drawing.FillRectangle(image, x1, y1 + 1, 1, y2 - y1 - 1, color, 0.3f);
            Drawing.FillRectangle(image, x2, y1 + 1, 1, y2 - y1 - 1, color, 0.3f);
        }
    }
}
