using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Data.Tests.Datasets;

namespace Forge.Data.Tests.Augmentation;

/// <summary>
/// One training mosaic built end to end from four non-square photos on disk (two shrunk, one enlarged, one with a
/// ratio whose ceil could round up) with a fixed random draw, against boxes worked out with Ultralytics 8.3.57's formulas
/// (ultralytics/data/base.py load_image, data/augment.py Mosaic._mosaic4 + _cat_labels, RandomPerspective + box_candidates).
/// The expected numbers were also produced by Ultralytics' own Mosaic._mosaic4 and RandomPerspective.__call__ with
/// random.uniform replaced by these draws (the same float32 values to the printed digits).
/// <para>imgsz s = 64. load_image: r = s / max(w0, h0); size (min(ceil(w0 r), s), min(ceil(h0 r), s)):
/// 96x64 -> 64x43, 40x80 -> 32x64, 50x30 -> 64x39 (enlarged), 120x90 -> 64x48. Labels (normalised cx cy w h) become pixels
/// as xyxy times the loaded size.</para>
/// <para>_mosaic4 with the draw yc = 50, xc = 80 (int(uniform(s/2, 3s/2)), y first) on a 2s x 2s canvas; tile i is
/// placed with padw = x1a - x1b, padh = y1a - y1b:
/// 0 top-left 64x43: a = (16, 7)-(80, 50), b = (0, 0): pad (16, 7);
/// 1 top-right 32x64: a = (80, 0)-(112, 50), b = (0, 14): pad (80, -14);
/// 2 bottom-left 64x39: a = (16, 50)-(80, 89), b = (0, 0): pad (16, 50);
/// 3 bottom-right 64x48: a = (80, 50)-(128, 98), b = (0, 0): pad (80, 50) (its right 16 px fall off the canvas).
/// Boxes are shifted by the pad, clipped to [0, 2s], and zero-area ones removed (_cat_labels).</para>
/// <para>RandomPerspective with border -s/2 (output 64x64) and draws perspective 0, 0, degrees 0, scale 0.75, shear 0, 0,
/// translate 0.55, 0.45: M = T S R P C = x' = 0.75 (x - 64) + 0.55 * 64 = 0.75 x - 12.8, y' = 0.75 y - 19.2. Boxes: the
/// corners' enclosing box clipped to [0, 64]; kept when w', h' > 2 px (wh_thr), w' h' / (0.75 w * 0.75 h) > 0.1 (area_thr)
/// and max(w'/h', h'/w') &lt; 100 (ar_thr).</para>
/// </summary>
public class NonSquareMosaicTests
{
    const int S = 64;

    static readonly (int W, int H, string Labels)[] Photos =
    [
        (96, 64, "0 0.5 0.5 0.5 0.6\n1 0.1 0.2 0.1 0.2\n2 0.8 0.25 0.2 0.48\n"),
        (40, 80, "0 0.5 0.3 0.8 0.4\n2 0.5 0.9 0.5 0.15\n"),
        (50, 30, "1 0.4 0.5 0.6 0.7\n"),
        (120, 90, "0 0.9 0.5 0.15 0.3\n0 0.3 0.6 0.4 0.5\n2 0.54375 0.5 0.475 0.4\n"),
    ];

    [Fact]
    public void Mosaic_of_non_square_photos_gives_ultralytics_boxes()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < Photos.Length; i++)
        {
            folder.WriteImage($"images/p{i}.png", Photos[i].W, Photos[i].H, i);
            folder.WriteText($"labels/p{i}.txt", Photos[i].Labels);
        }
        var index = DatasetIndex.Build([folder.Full("images")], 3, new DataIssueLog(TextWriter.Null), "train", threads: 1);
        var dataset = new DetectionDataset(index, S, augment: true);
        var tiles = Enumerable.Range(0, 4).Select(i => dataset.Load(Array.FindIndex(index.Items.ToArray(), it => it.ImagePath.EndsWith($"p{i}.png")))).ToArray();
        try
        {
            Assert.Equal([(64, 43), (32, 64), (64, 39), (64, 48)], tiles.Select(t => (t.Width, t.Height)).ToArray());
            using var mosaic = Mosaic4.Apply(tiles, S, xc: 80, yc: 50);
            // Shifted and clipped: photo 3's first box (x 132.8..137.6) lies beyond the canvas and is removed.
            AssertBoxes(mosaic, [
                (0, 32f, 15.6f, 64f, 41.4f), (1, 19.2f, 11.3f, 25.6f, 19.9f), (2, 60.8f, 7.43f, 73.6f, 28.07f),
                (0, 83.2f, 0f, 108.8f, 18f), (2, 88f, 38.8f, 104f, 48.4f),
                (1, 22.4f, 55.85f, 60.8f, 83.15f),
                (0, 86.4f, 66.8f, 112f, 90.8f), (2, 99.6f, 64.4f, 128f, 83.6f)]);

            var draws = new AffineDraws(0, 0, 0, 0.75, 0, 0, 0.55, 0.45);
            var m = RandomAffine.BuildMatrix(2 * S, 2 * S, S, S, draws);
            using var sample = RandomAffine.Apply(mosaic, m, S, S, 0.75f, perspective: false);
            // Dropped: (1, 19.2..25.6 x 11.3..19.9) ends above the output (h' = 0); (0, 83.2..) too (y' < 0);
            // (2, 60.8.. x 7.43..28.07) keeps h' = 1.85 <= 2 px (wh_thr); (2, 99.6..128 x 64.4..83.6) keeps w' = 2.1 px
            // of 21.3, area ratio 0.0986 <= 0.1 (area_thr).
            AssertBoxes(sample, [
                (0, 11.2f, 0f, 35.2f, 11.85f), (2, 53.2f, 9.9f, 64f, 17.1f),
                (1, 4f, 22.6875f, 32.8f, 43.1625f), (0, 52f, 30.9f, 64f, 48.9f)]);
        }
        finally
        {
            foreach (var t in tiles) t.Dispose();
        }
    }

    /// <summary>Within 1e-4 px: float32 arithmetic in another order than numpy's (measured differences are below 1e-5).</summary>
    static void AssertBoxes(LabeledImage actual, (int Cls, float X1, float Y1, float X2, float Y2)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Cls).ToArray(), actual.Classes);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual.Boxes[i];
            foreach (var (want, got) in new[] { (e.X1, a.X1), (e.Y1, a.Y1), (e.X2, a.X2), (e.Y2, a.Y2) })
                Assert.True(Math.Abs(want - got) < 1e-4, $"box {i}: expected {new BoxF(e.X1, e.Y1, e.X2, e.Y2)}, got {a}");
        }
    }
}
