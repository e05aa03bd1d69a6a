using System.Text.Json;
using Forge.Data.Imaging;
using Forge.Data.Tests.Parity;
using OpenCvSharp;

namespace Forge.Data.Tests.Imaging;

/// <summary>
/// Every kind of image file users bring decodes as Ultralytics' cv2.imread (imdecode, IMREAD_COLOR) decodes it:
/// compared byte for byte with OpenCV 4.6's output for the same file (Fixtures/decode, made by make_decode_fixtures.py).
/// </summary>
public class ImageFileTests
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "decode");

    static JsonElement Expected(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "files.json")));
        return doc.RootElement.GetProperty(file).Clone();
    }

    [Theory]
    [InlineData("plain.jpg")]
    [InlineData("exif3.jpg")]
    [InlineData("exif6.jpg")]
    [InlineData("exif8.jpg")]
    [InlineData("trailing.jpg")]
    [InlineData("lossy.webp")]
    [InlineData("lossless.webp")]
    [InlineData("lzw.tiff")]
    [InlineData("cmyk.jpg")]
    [InlineData("gray.png")]
    [InlineData("gray.jpg")]
    [InlineData("gray16.png")]
    [InlineData("rgb16.png")]
    [InlineData("rgba.png")]
    [InlineData("palette.png")]
    public void Decodes_like_ultralytics_cv2_imread(string file)
    {
        var e = Expected(file);
        using var image = ImageFile.Read(Path.Combine(Folder, file));
        Assert.Equal(MatType.CV_8UC3, image.Type());
        Assert.Equal((e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32()), (image.Width, image.Height));
        using var expected = new Mat(Path.Combine(Folder, e.GetProperty("expected").GetString()!), ImreadModes.Color);
        PixelFixtures.AssertSame(expected, image, file);
    }

    [Theory]
    [InlineData("exif3.jpg", 24, 16, 23 - 5, 15 - 3)]   // 180°: the red block moves to the bottom-right
    [InlineData("exif6.jpg", 16, 24, 15 - 3, 5)]        // 90° clockwise: stored top-left ends top-right
    [InlineData("exif8.jpg", 16, 24, 3, 23 - 5)]        // 90° counter-clockwise: stored top-left ends bottom-left
    public void Exif_orientation_is_applied(string file, int width, int height, int redX, int redY)
    {
        using var image = ImageFile.Read(Path.Combine(Folder, file));
        Assert.Equal((width, height), (image.Width, image.Height));
        var px = image.At<Vec3b>(redY, redX);   // BGR
        Assert.True(px.Item2 > 200 && px.Item0 < 80 && px.Item1 < 80, $"{file}: ({redX}, {redY}) is {px.Item2},{px.Item1},{px.Item0}, not the red block");
    }

    [Fact]
    public void A_jpeg_cut_short_is_rejected_as_truncated_but_extra_bytes_after_the_end_are_fine()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, "plain.jpg"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Decode(bytes[..(bytes.Length * 2 / 3)], "cut.jpg"));
        Assert.Contains("cut.jpg: truncated JPEG", e.Message);
        Assert.False(JpegStructure.IsTruncated(File.ReadAllBytes(Path.Combine(Folder, "trailing.jpg"))));
        Assert.False(JpegStructure.IsTruncated(File.ReadAllBytes(Path.Combine(Folder, "exif6.jpg"))));   // an EXIF block before the image data
        Assert.False(JpegStructure.IsTruncated([1, 2, 3, 4]));                                           // not a JPEG: the decoder judges
    }

    [Fact]
    public void Files_opencv_cannot_decode_say_why()
    {
        var empty = Assert.Throws<InvalidDataException>(() => ImageFile.Decode([], "e.png"));
        Assert.Contains("e.png: empty file", empty.Message);
        var garbage = Assert.Throws<InvalidDataException>(() => ImageFile.Decode([1, 2, 3, 4, 5, 6, 7, 8, 9], "g.png"));
        Assert.Contains("g.png: OpenCV cannot decode it", garbage.Message);
        byte[] heic = [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0];
        var h = Assert.Throws<InvalidDataException>(() => ImageFile.Decode(heic, "phone.heic"));
        Assert.Contains("HEIC", h.Message);
    }

    [Fact]
    public void Writes_by_extension_and_reads_back()
    {
        using var t = new Datasets.TempFolder();
        using var image = ImageFile.Read(Path.Combine(Folder, "plain.jpg"));
        foreach (var ext in new[] { ".png", ".webp", ".tif", ".bmp" })
        {
            string path = t.Full("sub/out" + ext);
            ImageFile.Write(image, path);
            using var back = ImageFile.Read(path);
            if (ext != ".webp") PixelFixtures.AssertSame(image, back, ext);   // lossless formats round-trip exactly
            else Assert.Equal((image.Width, image.Height), (back.Width, back.Height));
        }
        Assert.Throws<InvalidOperationException>(() => ImageFile.Write(image, t.Full("x.unknown")));
    }

    [Theory]
    [InlineData("a.JPG", true)]
    [InlineData("a.webp", true)]
    [InlineData("a.tiff", true)]
    [InlineData("a.heic", true)]
    [InlineData("a.txt", false)]
    [InlineData("a.json", false)]
    public void Image_extensions_cover_what_opencv_and_ultralytics_read(string name, bool image) =>
        Assert.Equal(image, ImageFile.IsImageFile(name));
}
