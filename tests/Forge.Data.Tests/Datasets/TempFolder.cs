using Forge.Data.Imaging;

namespace Forge.Data.Tests.Datasets;

/// <summary>A throw-away folder for tests that need files on disk; deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; }

    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "forge-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Full(string relative) => System.IO.Path.Combine(Path, relative);

    public string WriteText(string relative, string text)
    {
        string full = Full(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        string full = Full(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    /// <summary>Writes a small PNG with a position-dependent pattern (so resampling and flips are visible).</summary>
    public string WriteImage(string relative, int width, int height, int seed = 0)
    {
        string full = Full(relative);
        Pattern(width, height, seed).Save(full);
        return full;
    }

    public static RgbImage Pattern(int width, int height, int seed = 0)
    {
        var img = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = img.Offset(x, y);
                img.Pixels[o] = (byte)(x * 7 + seed * 31);
                img.Pixels[o + 1] = (byte)(y * 5 + seed * 17);
                img.Pixels[o + 2] = (byte)((x + y) * 3 + seed * 11);
            }
        return img;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
