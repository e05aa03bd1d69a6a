using Forge.Data.Imaging;

namespace Forge.Reporting.Tests.Plots;

/// <summary>Pixel queries shared by the plot tests.</summary>
internal static class PlotTestImages
{
    public static Rgb At(RgbImage img, int x, int y)
    {
        int o = img.Offset(x, y);
        return new Rgb(img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]);
    }

    public static int Count(RgbImage img, Func<Rgb, bool> predicate)
    {
        int n = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (predicate(At(img, x, y))) n++;
        return n;
    }

    public static int CountNear(RgbImage img, Rgb color, float tolerance = 8) => Count(img, c => Rgb.Distance(c, color) <= tolerance);

    public static int CountNonWhite(RgbImage img) => Count(img, c => c != Rgb.White);

    /// <summary>A fresh temporary folder removed on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "forge-tests-" + Guid.NewGuid().ToString("N"));
        public TempFolder() => Directory.CreateDirectory(Path);
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
