using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// Reads and writes image files through OpenCV, as Ultralytics does (its cv2.imread is <c>cv2.imdecode(np.fromfile(f), IMREAD_COLOR)</c>):
/// every image becomes 8-bit BGR (<see cref="MatType.CV_8UC3"/>) with its EXIF orientation applied; grey, palette, CMYK,
/// alpha and 16-bit files are converted by OpenCV's decoders exactly as cv2.imread converts them.
/// </summary>
public static class ImageFile
{
    static ImageFile() => OpenCvRuntime.Ensure();

    /// <summary>
    /// File extensions treated as images: everything Ultralytics lists (IMG_FORMATS) plus the other formats OpenCV decodes.
    /// A listed file that OpenCV cannot decode (e.g. HEIC) is reported with the reason, never silently dropped.
    /// </summary>
    public static readonly string[] Extensions =
    [
        ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".webp", ".tif", ".tiff", ".dng", ".mpo", ".jp2",
        ".pbm", ".pgm", ".ppm", ".pnm", ".pxm", ".pfm", ".sr", ".ras", ".hdr", ".pic", ".gif", ".heic", ".avif",
    ];

    public static bool IsImageFile(string path) =>
        Array.IndexOf(Extensions, Path.GetExtension(path).ToLowerInvariant()) >= 0;

    /// <summary>
    /// Decodes a file to an 8-bit BGR image (the caller disposes it). Throws <see cref="InvalidDataException"/> with the
    /// path and the reason when the file cannot be read or decoded.
    /// </summary>
    public static Mat Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new InvalidDataException($"{path}: cannot read file ({e.Message})", e); }
        return Decode(bytes, path);
    }

    /// <summary>Decodes encoded image bytes (any format OpenCV reads) to 8-bit BGR with EXIF orientation applied.</summary>
    public static Mat Decode(byte[] bytes, string nameForErrors = "<memory>")
    {
        if (bytes.Length == 0) throw new InvalidDataException($"{nameForErrors}: empty file");
        if (JpegStructure.IsTruncated(bytes))
            throw new InvalidDataException($"{nameForErrors}: truncated JPEG (the image data has no end-of-image marker)");
        Mat image;
        try { image = Cv2.ImDecode(bytes, ImreadModes.Color); }
        catch (Exception e) { throw new InvalidDataException($"{nameForErrors}: OpenCV cannot decode it ({FirstLine(e.Message)})", e); }
        if (image.Empty())
        {
            image.Dispose();
            throw new InvalidDataException($"{nameForErrors}: OpenCV cannot decode it ({Describe(bytes)})");
        }
        return image;
    }

    /// <summary>
    /// Encodes by the path's extension (.jpg, .png, .webp, ...; JPEG quality 95 like cv2.imwrite's default) and writes the
    /// file, creating its folder. Throws <see cref="InvalidOperationException"/> when OpenCV has no encoder for the extension.
    /// </summary>
    public static void Write(Mat image, string path, int jpegQuality = 95)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext.Length == 0) throw new ArgumentException($"{path}: no file extension to choose the image format from", nameof(path));
        var prms = ext is ".jpg" or ".jpeg" or ".jpe" ? new[] { (int)ImwriteFlags.JpegQuality, jpegQuality } : [];
        byte[] bytes;
        bool ok;
        try { ok = Cv2.ImEncode(ext, image, out bytes, prms); }
        catch (OpenCVException e) { throw new InvalidOperationException($"{path}: OpenCV cannot write {ext} files ({FirstLine(e.Message)})", e); }
        if (!ok) throw new InvalidOperationException($"{path}: OpenCV could not encode a {image.Width}x{image.Height} image as {ext}");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }

    static string Describe(byte[] bytes)
    {
        if (bytes.Length >= 12 && bytes[4] == 'f' && bytes[5] == 't' && bytes[6] == 'y' && bytes[7] == 'p')
            return "an ISO media (HEIC/AVIF) container, which this OpenCV build does not decode; convert it to JPEG or PNG";
        return $"format not recognised or data corrupt, {bytes.Length} bytes";
    }

    static string FirstLine(string message)
    {
        int nl = message.IndexOf('\n');
        return (nl < 0 ? message : message[..nl]).Trim();
    }
}
