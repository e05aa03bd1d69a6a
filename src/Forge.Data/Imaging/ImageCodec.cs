using StbImageSharp;
using StbImageWriteSharp;

namespace Forge.Data.Imaging;

/// <summary>Reads and writes image files (JPEG, PNG, BMP, TGA, GIF in; PNG and JPEG out) with managed stb ports: no native dependencies.</summary>
public static class ImageCodec
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".tga", ".gif"];

    public static bool IsImageFile(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Decodes a file to RGB. Throws <see cref="InvalidDataException"/> with the path and cause when the file is not a readable image.</summary>
    public static RgbImage Decode(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new InvalidDataException($"{path}: cannot read file ({e.Message})", e); }
        return Decode(bytes, path);
    }

    public static RgbImage Decode(byte[] bytes, string nameForErrors = "<memory>")
    {
        if (bytes.Length == 0) throw new InvalidDataException($"{nameForErrors}: empty file");
        if (IsTruncatedJpeg(bytes)) throw new InvalidDataException($"{nameForErrors}: truncated JPEG (no end-of-image marker)");
        ImageResult result;
        try { result = ImageResult.FromMemory(bytes, StbImageSharp.ColorComponents.RedGreenBlue); }
        catch (Exception e) { throw new InvalidDataException($"{nameForErrors}: not a decodable image ({e.Message})", e); }
        if (result is null || result.Data is null || result.Width <= 0 || result.Height <= 0)
            throw new InvalidDataException($"{nameForErrors}: not a decodable image");
        return new RgbImage(result.Width, result.Height, result.Data);
    }

    /// <summary>JPEG files must end with the EOI marker FF D9 (allowing trailing padding); stb decodes truncated files silently as grey.</summary>
    static bool IsTruncatedJpeg(byte[] b)
    {
        if (b.Length < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
        int end = b.Length - 1;
        while (end > 1 && b[end] == 0) end--; // some writers pad with zeros
        return !(b[end - 1] == 0xFF && b[end] == 0xD9);
    }

    public static void SavePng(RgbImage image, string path)
    {
        EnsureFolder(path);
        using var stream = File.Create(path);
        new ImageWriter().WritePng(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
    }

    public static void SaveJpeg(RgbImage image, string path, int quality = 90)
    {
        EnsureFolder(path);
        using var stream = File.Create(path);
        new ImageWriter().WriteJpg(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream, quality);
    }

    /// <summary>Saves by extension: .png as PNG, anything else as JPEG.</summary>
    public static void Save(RgbImage image, string path)
    {
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase)) SavePng(image, path);
        else SaveJpeg(image, path);
    }

    static void EnsureFolder(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }
}
