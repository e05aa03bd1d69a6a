using System.Globalization;
using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Reporting.Plots;

/// <summary>
/// A grid of up to 16 images with their labelled boxes (like Ultralytics' train_batch0.jpg / val_batch0_pred.jpg),
/// to eyeball what the model is trained on or predicts. Boxes are in each image's pixel coordinates.
/// </summary>
public static class TiledImages
{
    public const int MaxImages = 16;

    public static void Render(IReadOnlyList<RgbImage> images, IReadOnlyList<IReadOnlyList<(BoxF Box, int Class, float? Score)>> boxes,
        string[] names, string path) =>
        ImageCodec.Save(RenderImage(images, boxes, names), path);

    /// <param name="maxSide">Upper bound on the mosaic's width and height; images are scaled down (never up) to fit.</param>
    public static RgbImage RenderImage(IReadOnlyList<RgbImage> images, IReadOnlyList<IReadOnlyList<(BoxF Box, int Class, float? Score)>> boxes,
        string[] names, int maxSide = 1280)
    {
        if (boxes.Count != images.Count)
            throw new ArgumentException($"{boxes.Count} box lists for {images.Count} images; pass one list (possibly empty) per image");
        int n = Math.Min(images.Count, MaxImages);
        if (n == 0)
        {
            var empty = RgbImage.Filled(320, 240, 255);
            var (w, h) = Drawing.MeasureText("no images", 2);
            Drawing.Text(empty, (320 - w) / 2, (240 - h) / 2, "no images", Rgb.Gray(140), 2);
            return empty;
        }
        int columns = (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (n + columns - 1) / columns;
        int maxDim = 1;
        for (int i = 0; i < n; i++) maxDim = Math.Max(maxDim, Math.Max(images[i].Width, images[i].Height));
        float scale = Math.Min(1f, Math.Max(16, maxSide) / (float)(columns * maxDim));
        int tile = Math.Max(1, (int)MathF.Ceiling(maxDim * scale));
        var mosaic = RgbImage.Filled(columns * tile, rows * tile, 255);
        int thickness = Math.Max(1, tile / 250);

        for (int i = 0; i < n; i++)
        {
            int tx = i % columns * tile, ty = i / columns * tile;
            var img = images[i];
            var scaled = scale == 1f ? img : ImageScaler.Resize(img, (int)MathF.Round(img.Width * scale), (int)MathF.Round(img.Height * scale));
            ImageScaler.Paste(mosaic, scaled, tx, ty);
            float sx = (float)scaled.Width / img.Width, sy = (float)scaled.Height / img.Height;
            // Draw into the tile alone so labels near an edge stay inside their own image.
            var tileImage = Crop(mosaic, tx, ty, scaled.Width, scaled.Height);
            foreach (var (box, cls, score) in boxes[i])
            {
                string name = cls >= 0 && cls < names.Length ? names[cls] : cls.ToString(CultureInfo.InvariantCulture);
                string label = score is float p ? $"{name} {p.ToString("F2", CultureInfo.InvariantCulture)}" : name;
                Drawing.BoxLabel(tileImage, box.Scale(sx, sy), label, Palette.ForClass(cls), thickness, 1);
            }
            ImageScaler.Paste(mosaic, tileImage, tx, ty);
        }
        // Thin separators make tile borders visible on images with white edges.
        for (int c = 1; c < columns; c++) Drawing.FillRectangle(mosaic, c * tile - 1, 0, 2, mosaic.Height, Rgb.Gray(60));
        for (int r = 1; r < rows; r++) Drawing.FillRectangle(mosaic, 0, r * tile - 1, mosaic.Width, 2, Rgb.Gray(60));
        return mosaic;
    }

    static RgbImage Crop(RgbImage source, int x, int y, int width, int height)
    {
        var result = new RgbImage(width, height);
        for (int row = 0; row < height; row++)
            source.Pixels.AsSpan(source.Offset(x, y + row), width * 3).CopyTo(result.Pixels.AsSpan(row * width * 3));
        return result;
    }
}
