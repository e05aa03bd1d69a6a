using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// cache=disk, as Ultralytics does it: each decoded image is saved once beside its file as <c>name.npy</c> (the same path with
/// the extension replaced) and read from there afterwards, skipping JPEG/PNG decoding. The file is NumPy's .npy format 1.0
/// holding the decoded 8-bit BGR image as a (height, width, 3) uint8 C-order array, exactly what Ultralytics'
/// cache_images_to_disk writes with np.save, so either tool reads the other's cache. A damaged cache file is replaced.
/// </summary>
public static partial class NpyImageCache
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>The cache file of an image: same folder and name, extension .npy (Ultralytics' npy_files).</summary>
    public static string PathFor(string imagePath) => Path.ChangeExtension(imagePath, ".npy");

    /// <summary>The decoded image from its .npy cache, writing the cache first when it is missing or damaged; the caller disposes it.</summary>
    /// <exception cref="InvalidDataException">The image itself cannot be decoded (see <see cref="ImageFile.Read"/>).</exception>
    public static Mat Read(string imagePath)
    {
        string npy = PathFor(imagePath);
        if (File.Exists(npy))
        {
            try { return Load(npy); }
            catch (Exception e) when (e is InvalidDataException or IOException or EndOfStreamException) { File.Delete(npy); }
        }
        var image = ImageFile.Read(imagePath);
        try { Save(image, npy); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a read-only dataset still trains, uncached
        return image;
    }

    /// <summary>Writes an 8-bit, 3-channel image as a (h, w, 3) uint8 .npy file (atomically: a temporary file renamed).</summary>
    public static void Save(Mat image, string path)
    {
        if (image.Type() != MatType.CV_8UC3) throw new ArgumentException($"cache=disk stores 8-bit 3-channel images, not {image.Type()}", nameof(image));
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '|u1', 'fortran_order': False, 'shape': ({image.Height}, {image.Width}, 3), }}");
        int unpadded = Magic.Length + 2 + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";   // total header a multiple of 64 bytes
        string temp = path + $".{Environment.ProcessId}.tmp";
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            f.Write(Magic);
            f.Write(BitConverter.GetBytes((ushort)header.Length));
            f.Write(Encoding.ASCII.GetBytes(header));
            using var continuous = image.IsContinuous() ? null : image.Clone();
            var src = continuous ?? image;
            var bytes = new byte[image.Height * image.Width * 3];
            System.Runtime.InteropServices.Marshal.Copy(src.Data, bytes, 0, bytes.Length);
            f.Write(bytes);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a (h, w, 3) uint8 C-order .npy file into an 8-bit BGR image.</summary>
    /// <exception cref="InvalidDataException">Not such a file (another dtype or shape, a damaged header, too few bytes).</exception>
    public static Mat Load(string path)
    {
        using var f = File.OpenRead(path);
        var head = new byte[10];
        if (f.ReadAtLeast(head, 10, throwOnEndOfStream: false) < 10 || !head.AsSpan(0, 6).SequenceEqual(Magic.AsSpan(0, 6)))
            throw new InvalidDataException($"{path}: not a .npy file");
        if (head[6] != 1) throw new InvalidDataException($"{path}: .npy format version {head[6]} (1 expected)");
        int length = BitConverter.ToUInt16(head, 8);
        var text = new byte[length];
        if (f.ReadAtLeast(text, length, throwOnEndOfStream: false) < length) throw new InvalidDataException($"{path}: truncated .npy header");
        var m = Header().Match(Encoding.ASCII.GetString(text));
        if (!m.Success) throw new InvalidDataException($"{path}: not a (height, width, 3) uint8 C-order array");
        int h = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), w = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var bytes = new byte[h * w * 3];
        if (f.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length) throw new InvalidDataException($"{path}: truncated .npy data");
        var image = new Mat(h, w, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, image.Data, bytes.Length);
        return image;
    }

    [GeneratedRegex(@"^\{\s*'descr'\s*:\s*'\|u1'\s*,\s*'fortran_order'\s*:\s*False\s*,\s*'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*3\s*\)\s*,?\s*\}\s*$")]
    private static partial Regex Header();
}
