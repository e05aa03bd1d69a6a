using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// An 8-bit RGB raster, rows top to bottom, pixels interleaved (HWC), that the chart renderers paint into. Images of the
/// data pipeline are OpenCV <see cref="Mat"/>s (BGR); <see cref="ToBgrMat"/> and <see cref="Save"/> cross over.
/// </summary>
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

    /// <summary>A new image filled with one grey level.</summary>
    public static RgbImage Filled(int width, int height, byte value)
    {
        var img = new RgbImage(width, height);
        Array.Fill(img.Pixels, value);
        return img;
    }

    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    public int Offset(int x, int y) => (y * Width + x) * 3;

    /// <summary>A new 8-bit BGR OpenCV image with these pixels (the caller disposes it).</summary>
    public unsafe Mat ToBgrMat()
    {
        var mat = new Mat(Height, Width, MatType.CV_8UC3);
        fixed (byte* src = Pixels)
        {
            using var rgb = Mat.FromPixelData(Height, Width, MatType.CV_8UC3, (IntPtr)src);
            Cv2.CvtColor(rgb, mat, ColorConversionCodes.RGB2BGR);
        }
        return mat;
    }

    /// <summary>An RGB copy of an 8-bit BGR OpenCV image.</summary>
    public static unsafe RgbImage FromBgrMat(Mat bgr)
    {
        if (bgr.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR image, got {bgr.Type()}", nameof(bgr));
        var image = new RgbImage(bgr.Width, bgr.Height);
        fixed (byte* dst = image.Pixels)
        {
            using var rgb = Mat.FromPixelData(bgr.Height, bgr.Width, MatType.CV_8UC3, (IntPtr)dst);
            Cv2.CvtColor(bgr, rgb, ColorConversionCodes.BGR2RGB);
        }
        return image;
    }

    /// <summary>Reads an image file through OpenCV (<see cref="ImageFile.Read"/>) into an RGB raster.</summary>
    public static RgbImage Read(string path)
    {
        using var bgr = ImageFile.Read(path);
        return FromBgrMat(bgr);
    }

    /// <summary>Writes the image through OpenCV, format by extension (.png, .jpg, ...).</summary>
    public void Save(string path, int jpegQuality = 95)
    {
        using var mat = ToBgrMat();
        ImageFile.Write(mat, path, jpegQuality);
    }
}
