using System.Globalization;
using Forge.Core.Geometry;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Reporting.Plots;

/// <summary>
/// A grid of up to 16 images with their labelled boxes (like Ultralytics' train_batch0.jpg / val_batch0_pred.jpg),
/// to eyeball what the model is trained on or predicts, drawn with OpenCV and Ultralytics' class colours (<see cref="Annotator"/>).
/// Boxes are in each image's pixel coordinates.
/// </summary>
public static class TiledImages
{
    public const int MaxImages = 16;

    public static void Render(IReadOnlyList<RgbImage> images, IReadOnlyList<IReadOnlyList<(BoxF Box, int Class, float? Score)>> boxes,
        string[] names, string path) =>
        RenderImage(images, boxes, names).Save(path);

    /// <param name="maxSide">Upper bound on the mosaic's width and height; images are scaled down (never up) to fit.</param>
    public static RgbImage RenderImage(IReadOnlyList<RgbImage> images, IReadOnlyList<IReadOnlyList<(BoxF Box, int Class, float? Score)>> boxes,
        string[] names, int maxSide = 1280)
    {
        if (boxes.Count != images.Count)
            throw new ArgumentException($"{boxes.Count} box lists for {images.Count} images; pass one list (possibly empty) per image");
        int n = Math.Min(images.Count, MaxImages);
        if (n == 0)
        {
            using var empty = new Mat(240, 320, MatType.CV_8UC3, Scalar.All(255));
            var size = Cv2.GetTextSize("no images", HersheyFonts.HersheySimplex, 0.8, 2, out _);
            Cv2.PutText(empty, "no images", new Point((320 - size.Width) / 2, (240 + size.Height) / 2), HersheyFonts.HersheySimplex, 0.8,
                Scalar.All(140), 2, LineTypes.AntiAlias);
            return RgbImage.FromBgrMat(empty);
        }
        int columns = (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (n + columns - 1) / columns;
        int maxDim = 1;
        for (int i = 0; i < n; i++) maxDim = Math.Max(maxDim, Math.Max(images[i].Width, images[i].Height));
        float scale = Math.Min(1f, Math.Max(16, maxSide) / (float)(columns * maxDim));
        int tile = Math.Max(1, (int)MathF.Ceiling(maxDim * scale));
        using var mosaic = new Mat(rows * tile, columns * tile, MatType.CV_8UC3, Scalar.All(255));
        int thickness = Math.Max(1, tile / 250);
        for (int i = 0; i < n; i++)
        {
            using var bgr = images[i].ToBgrMat();
            int w = Math.Max(1, (int)MathF.Round(bgr.Width * scale)), h = Math.Max(1, (int)MathF.Round(bgr.Height * scale));
            // Draw into the tile alone (a view of the mosaic) so labels near an edge stay inside their own image.
            using var tileView = new Mat(mosaic, new Rect(i % columns * tile, i / columns * tile, w, h));
            if (w == bgr.Width && h == bgr.Height) bgr.CopyTo(tileView);
            else Cv2.Resize(bgr, tileView, new Size(w, h), 0, 0, InterpolationFlags.Area);
            float sx = (float)w / bgr.Width, sy = (float)h / bgr.Height;
            var annotator = new Annotator(tileView, thickness);
            foreach (var (box, cls, score) in boxes[i])
            {
                string name = cls >= 0 && cls < names.Length ? names[cls] : cls.ToString(CultureInfo.InvariantCulture);
                string label = score is float p ? $"{name} {p.ToString("F2", CultureInfo.InvariantCulture)}" : name;
                annotator.BoxLabel(box.Scale(sx, sy), label, ClassColors.Bgr(cls));
            }
        }
        // Thin separators make tile borders visible on images with white edges.
        for (int c = 1; c < columns; c++) Cv2.Rectangle(mosaic, new Rect(c * tile - 1, 0, 2, mosaic.Height), Scalar.All(60), -1);
        for (int r = 1; r < rows; r++) Cv2.Rectangle(mosaic, new Rect(0, r * tile - 1, mosaic.Width, 2), Scalar.All(60), -1);
        return RgbImage.FromBgrMat(mosaic);
    }
}
