using ScottPlot;
using SkiaSharp;

namespace Forge.Reporting.Tests.Plots;

/// <summary>Pixel queries on the charts (decoded with SkiaSharp, as ScottPlot wrote them).</summary>
internal sealed class ChartPixels
{
    readonly SKBitmap bitmap;

    ChartPixels(SKBitmap bitmap) => this.bitmap = bitmap;

    public static ChartPixels Load(string path) =>
        new(SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not an image SkiaSharp can decode"));

    public static ChartPixels Of(ScottPlot.Image image) => new(SKBitmap.Decode(image.GetImageBytes(ImageFormat.Png, 100)));

    public int Width => bitmap.Width;
    public int Height => bitmap.Height;

    /// <summary>Pixels within <paramref name="tolerance"/> (per channel) of <paramref name="hex"/>, in the whole image or a region.</summary>
    public int CountNear(string hex, int tolerance = 6, (int X, int Y, int W, int H)? region = null)
    {
        var c = SKColor.Parse(hex);
        return Count(p => Math.Abs(p.Red - c.Red) <= tolerance && Math.Abs(p.Green - c.Green) <= tolerance && Math.Abs(p.Blue - c.Blue) <= tolerance, region);
    }

    /// <summary>Dark pixels (all channels below 80): text, axes and frames.</summary>
    public int CountDark((int X, int Y, int W, int H)? region = null) => Count(p => p.Red < 80 && p.Green < 80 && p.Blue < 80, region);

    public int CountNonWhite((int X, int Y, int W, int H)? region = null) => Count(p => p.Red < 250 || p.Green < 250 || p.Blue < 250, region);

    public int Count(Func<SKColor, bool> predicate, (int X, int Y, int W, int H)? region = null)
    {
        var (x0, y0, w, h) = region ?? (0, 0, bitmap.Width, bitmap.Height);
        int n = 0;
        for (int y = y0; y < Math.Min(bitmap.Height, y0 + h); y++)
            for (int x = x0; x < Math.Min(bitmap.Width, x0 + w); x++)
                if (predicate(bitmap.GetPixel(x, y))) n++;
        return n;
    }
}
