using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Data.Tests.Imaging;

/// <summary>cache=disk files are NumPy .npy arrays exactly as Ultralytics' np.save writes them, so both tools share a cache.</summary>
public sealed class NpyImageCacheTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "forge-npy-" + Guid.NewGuid().ToString("N")[..8]);

    public NpyImageCacheTests() => Directory.CreateDirectory(folder);

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "numpy-2x3x3-uint8.npy");

    static Mat Expected()
    {
        var m = new Mat(2, 3, MatType.CV_8UC3);
        var bytes = Enumerable.Range(0, 18).Select(i => (byte)(i * 7)).ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, m.Data, bytes.Length);
        return m;
    }

    static byte[] Pixels(Mat m)
    {
        var b = new byte[m.Height * m.Width * 3];
        System.Runtime.InteropServices.Marshal.Copy(m.Data, b, 0, b.Length);
        return b;
    }

    [Fact]
    public void NumpysFileLoadsAndOursIsByteIdenticalToIt()
    {
        using var loaded = NpyImageCache.Load(Fixture);
        using var expected = Expected();
        Assert.Equal((2, 3), (loaded.Height, loaded.Width));
        Assert.Equal(Pixels(expected), Pixels(loaded));
        string ours = Path.Combine(folder, "ours.npy");
        NpyImageCache.Save(expected, ours);
        Assert.Equal(File.ReadAllBytes(Fixture), File.ReadAllBytes(ours));
    }

    [Fact]
    public void ReadWritesTheCacheOnceBesideTheImageAndThenUsesIt()
    {
        string image = Path.Combine(folder, "scene.png");
        using (var pattern = new Mat(20, 30, MatType.CV_8UC3, new Scalar(10, 100, 200))) Cv2.ImWrite(image, pattern);
        using var first = NpyImageCache.Read(image);
        string npy = Path.Combine(folder, "scene.npy");
        Assert.Equal(npy, NpyImageCache.PathFor(image));
        Assert.True(File.Exists(npy));
        File.WriteAllBytes(image, [1, 2, 3]);   // the image is no longer decodable: the cache must serve it
        using var second = NpyImageCache.Read(image);
        Assert.Equal(Pixels(first), Pixels(second));
        File.WriteAllBytes(npy, [0x93, (byte)'N', 0]);   // a damaged cache is dropped and the image decoded again
        Assert.Throws<InvalidDataException>(() => NpyImageCache.Read(image));
        Assert.False(File.Exists(npy));
    }
}
