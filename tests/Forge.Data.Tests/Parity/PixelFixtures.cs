using System.Text.Json;
using Forge.Core.Geometry;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Data.Tests.Parity;

/// <summary>The reference cases of Fixtures/pixels (cases.json and its PNGs), written by Ultralytics 8.3.57's own code.</summary>
public static class PixelFixtures
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pixels");
    static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static JsonElement Case(string name) => Cases.Value.Single(c => c.GetProperty("name").GetString() == name);

    public static Mat Image(string file) => ImageFile.Read(Path.Combine(Folder, file));

    public static Mat Image(JsonElement c, string property) => Image(c.GetProperty(property).GetString()!);

    public static BoxF[] Boxes(JsonElement array) =>
        array.EnumerateArray().Select(b => new BoxF(b[0].GetSingle(), b[1].GetSingle(), b[2].GetSingle(), b[3].GetSingle())).ToArray();

    /// <summary>Asserts two BGR images are byte-identical, saying how many bytes differ and by how much otherwise.</summary>
    public static void AssertSame(Mat expected, Mat actual, string what)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var e = Bytes(expected);
        var a = Bytes(actual);
        int differ = 0, worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            int d = Math.Abs(e[i] - a[i]);
            if (d == 0) continue;
            differ++;
            worst = Math.Max(worst, d);
        }
        Assert.True(differ == 0, $"{what}: {differ} of {e.Length} bytes differ from Ultralytics' (largest difference {worst})");
    }

    public static byte[] Bytes(Mat m)
    {
        int height = m.Height, row = m.Width * m.ElemSize();
        var bytes = new byte[height * row];
        for (int y = 0; y < height; y++) System.Runtime.InteropServices.Marshal.Copy(m.Ptr(y), bytes, y * row, row);
        return bytes;
    }

    public static void AssertBoxes(BoxF[] expected, BoxF[] actual, float tolerance = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].X1, actual[i].X1, tolerance);
            Assert.Equal(expected[i].Y1, actual[i].Y1, tolerance);
            Assert.Equal(expected[i].X2, actual[i].X2, tolerance);
            Assert.Equal(expected[i].Y2, actual[i].Y2, tolerance);
        }
    }
}
