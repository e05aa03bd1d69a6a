namespace Forge.Data.Imaging;

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC). The one image type of the data pipeline.</summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Width * Height * 3 bytes, R G B per pixel.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}x{height}");
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[checked(width * height * 3)];
        if (Pixels.Length != width * height * 3)
            throw new ArgumentException($"pixel buffer has {Pixels.Length} bytes, expected {width * height * 3} for {width}x{height} RGB");
    }

    /// <summary>A new image filled with one grey level (114 is the letterbox padding value Ultralytics uses).</summary>
    public static RgbImage Filled(int width, int height, byte value)
    {
        var img = new RgbImage(width, height);
        Array.Fill(img.Pixels, value);
        return img;
    }

    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    public int Offset(int x, int y) => (y * Width + x) * 3;
}
