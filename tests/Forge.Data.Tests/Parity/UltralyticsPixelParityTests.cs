using System.Text.Json;
using Forge.Core.Geometry;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using OpenCvSharp;
using static Forge.Data.Tests.Parity.PixelFixtures;

namespace Forge.Data.Tests.Parity;

/// <summary>
/// Every image operation of the data pipeline gives Ultralytics 8.3.57's pixels byte for byte: its own LetterBox,
/// load_image, RandomHSV, RandomPerspective, Mosaic, MixUp and Annotator were run (OpenCV 4.6) with fixed random draws
/// to make the fixtures (Fixtures/make_pixel_fixtures.py); Forge runs the same operations through OpenCvSharp 4.13.
/// Boxes agree to 1e-4 px (float32 arithmetic in a possibly different order).
/// </summary>
public class UltralyticsPixelParityTests
{
    [Theory]
    [InlineData("load_down")]
    [InlineData("load_up")]
    [InlineData("load_same")]
    public void Load_image_resizes_the_long_side_like_load_image(string name)
    {
        var c = Case(name);
        using var input = Image(c, "input");
        using var expected = Image(c, "output");
        using var loaded = LongSideResize.Apply(input.Clone(), c.GetProperty("imgsz").GetInt32());
        AssertSame(expected, loaded, name);
    }

    [Theory]
    [InlineData("lb_val_square")]
    [InlineData("lb_val_rect")]
    [InlineData("lb_predict_auto")]
    [InlineData("lb_train_up")]
    public void Letterbox_matches(string name)
    {
        var c = Case(name);
        var args = c.GetProperty("args");
        int w = 64, h = 64;
        if (c.GetProperty("rect").ValueKind == JsonValueKind.Array) { h = c.GetProperty("rect")[0].GetInt32(); w = c.GetProperty("rect")[1].GetInt32(); }
        bool scaleUp = !args.TryGetProperty("scaleup", out var su) || su.GetBoolean();
        bool auto = args.TryGetProperty("auto", out var au) && au.GetBoolean();
        using var input = Image(c, "input");
        using var expected = Image(c, "output");
        var info = Letterbox.Compute(input.Width, input.Height, w, h, scaleUp, auto, stride: 32);
        using var boxed = Letterbox.Apply(input, info);
        AssertSame(expected, boxed, name);

        // Labels (normalised xywh) follow: denormalised by the source size, scaled, padded.
        var normalised = new[] { (0.5f, 0.5f, 0.4f, 0.3f), (0.2f, 0.7f, 0.2f, 0.4f) };
        var moved = normalised.Select(n => info.FromSource(BoxF.FromCenter(n.Item1 * input.Width, n.Item2 * input.Height, n.Item3 * input.Width, n.Item4 * input.Height))).ToArray();
        AssertBoxes(Boxes(c.GetProperty("boxes")), moved);
    }

    [Theory]
    [InlineData("hsv_a")]
    [InlineData("hsv_b")]
    public void Hsv_matches_random_hsv(string name)
    {
        var c = Case(name);
        var g = c.GetProperty("gains").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var d = c.GetProperty("draws").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var image = Image(c, "input");
        using var expected = Image(c, "output");
        HsvAugment.ApplyGains(image, d[0] * g[0] + 1, d[1] * g[1] + 1, d[2] * g[2] + 1);
        AssertSame(expected, image, name);
    }

    [Theory]
    [InlineData("affine_a")]
    [InlineData("affine_mosaic_border")]
    [InlineData("perspective")]
    public void Random_perspective_matches_with_the_same_draws(string name)
    {
        var c = Case(name);
        var p = c.GetProperty("params");
        var d = c.GetProperty("draws").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        int border = c.GetProperty("border").GetInt32();
        using var input = Image(c, "input");
        using var expected = Image(c, "output");
        var draws = new AffineDraws(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
        int outW = input.Width + 2 * border, outH = input.Height + 2 * border;
        var m = RandomAffine.BuildMatrix(input.Width, input.Height, outW, outH, draws);
        var reference = c.GetProperty("matrix").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        for (int i = 0; i < 9; i++) Assert.Equal(reference[i], m[i], 1e-6 * Math.Max(1, Math.Abs(reference[i])));

        using var labeled = new LabeledImage(input.Clone(), Boxes(c.GetProperty("boxes_in")), [0, 1, 2]);
        bool perspective = p.GetProperty("perspective").GetDouble() != 0;
        using var warped = RandomAffine.Apply(labeled, m, outW, outH, (float)d[3], perspective);
        AssertSame(expected, warped.Image, name);
        AssertBoxes(Boxes(c.GetProperty("boxes")), warped.Boxes);
        Assert.Equal(c.GetProperty("classes").EnumerateArray().Select(v => (int)v.GetDouble()), warped.Classes);
    }

    [Fact]
    public void Mosaic_matches_mosaic4_with_the_same_centre()
    {
        var c = Case("mosaic4");
        var files = c.GetProperty("inputs").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var tileBoxes = c.GetProperty("tile_boxes").EnumerateArray().ToArray();
        var tiles = new LabeledImage[4];
        for (int i = 0; i < 4; i++)
        {
            var img = Image(files[i]);
            var boxes = tileBoxes[i].EnumerateArray()
                .Select(b => BoxF.FromCenter(b[0].GetSingle() * img.Width, b[1].GetSingle() * img.Height, b[2].GetSingle() * img.Width, b[3].GetSingle() * img.Height)).ToArray();
            tiles[i] = new LabeledImage(img, boxes, new int[boxes.Length]);
        }
        using var expected = Image(c, "output");
        using var mosaic = Mosaic4.Apply(tiles, 64, c.GetProperty("xc").GetInt32(), c.GetProperty("yc").GetInt32());
        AssertSame(expected, mosaic.Image, "mosaic");
        AssertBoxes(Boxes(c.GetProperty("boxes")), mosaic.Boxes);
        foreach (var t in tiles) t.Dispose();
    }

    [Fact]
    public void Mixup_blend_matches()
    {
        var c = Case("mixup");
        var files = c.GetProperty("inputs").EnumerateArray().Select(v => v.GetString()!).ToArray();
        using var a = new LabeledImage(Image(files[0]), [], []);
        using var b = new LabeledImage(Image(files[1]), [], []);
        using var expected = Image(c, "output");
        using var mixed = MixUp.Blend(a, b, c.GetProperty("ratio").GetDouble());
        AssertSame(expected, mixed.Image, "mixup");
    }

    [Fact]
    public void Annotator_draws_boxes_and_labels_like_ultralytics()
    {
        var c = Case("annotate");
        using var canvas = Image(c, "input");
        using var expected = Image(c, "output");
        var annotator = new Annotator(canvas);
        Assert.Equal(c.GetProperty("line_width").GetInt32(), annotator.LineWidth);
        var labels = c.GetProperty("labels").EnumerateArray().Select(v => v.GetString()!).ToArray();
        var boxes = c.GetProperty("boxes").EnumerateArray().ToArray();
        for (int i = 0; i < boxes.Length; i++)
        {
            var b = boxes[i];
            annotator.BoxLabel(new BoxF(b[0].GetSingle(), b[1].GetSingle(), b[2].GetSingle(), b[3].GetSingle()), labels[i], ClassColors.Bgr(b[4].GetInt32()));
        }
        AssertSame(expected, canvas, "annotation");
    }
}
