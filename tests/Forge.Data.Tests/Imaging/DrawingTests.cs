using Forge.Core.Geometry;
using Forge.Data.Imaging;

namespace Forge.Data.Tests.Imaging;

public class DrawingTests
{
    static readonly Rgb Red = new(255, 0, 0);

    static Rgb At(RgbImage img, int x, int y)
    {
        int o = img.Offset(x, y);
        return new Rgb(img.Pixels[o], img.Pixels[o + 1], img.Pixels[o + 2]);
    }

    static int CountNot(RgbImage img, Rgb background)
    {
        int n = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (At(img, x, y) != background) n++;
        return n;
    }

    [Fact]
    public void Rectangle_sets_exactly_the_edge_pixels()
    {
        var img = RgbImage.Filled(20, 20, 0);
        Drawing.Rectangle(img, new BoxF(5, 4, 15, 12), Red, 1);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
            {
                bool inside = x >= 5 && x < 15 && y >= 4 && y < 12;
                bool edge = inside && (x == 5 || x == 14 || y == 4 || y == 11);
                Assert.Equal(edge ? Red : Rgb.Black, At(img, x, y));
            }
    }

    [Fact]
    public void Thick_rectangle_grows_inwards()
    {
        var img = RgbImage.Filled(20, 20, 0);
        Drawing.Rectangle(img, new BoxF(2, 2, 18, 18), Red, 3);
        Assert.Equal(Red, At(img, 2, 10));
        Assert.Equal(Red, At(img, 4, 10));
        Assert.Equal(Rgb.Black, At(img, 5, 10));
        Assert.Equal(Red, At(img, 15, 10));
        Assert.Equal(Rgb.Black, At(img, 1, 10));
        Assert.Equal(Rgb.Black, At(img, 18, 10));
    }

    [Fact]
    public void Rectangle_partly_outside_is_clipped_and_far_outside_draws_nothing()
    {
        var img = RgbImage.Filled(10, 10, 0);
        Drawing.Rectangle(img, new BoxF(-5, -5, 5, 5), Red, 1);
        Assert.Equal(Red, At(img, 4, 0));
        Assert.Equal(Red, At(img, 0, 4));
        Assert.Equal(Rgb.Black, At(img, 0, 0)); // the corner lies outside, only the right and bottom edges show
        Assert.Equal(9, CountNot(img, Rgb.Black));

        var empty = RgbImage.Filled(10, 10, 0);
        Drawing.Rectangle(empty, new BoxF(100, 100, 200, 200), Red, 2);
        Drawing.Rectangle(empty, new BoxF(-1e30f, -1e30f, -1e29f, 1e30f), Red, 2);
        Drawing.Rectangle(empty, new BoxF(float.NaN, 0, 5, 5), Red, 2);
        Assert.Equal(0, CountNot(empty, Rgb.Black));
    }

    [Fact]
    public void FillRectangle_alpha_blends_and_clips()
    {
        var img = RgbImage.Filled(8, 8, 0);
        Drawing.FillRectangle(img, 6, 6, 100, 100, new Rgb(255, 100, 10), 0.5f);
        Assert.Equal(new Rgb(128, 50, 5), At(img, 7, 7));
        Assert.Equal(Rgb.Black, At(img, 5, 5));
        Assert.Equal(4, CountNot(img, Rgb.Black));

        Drawing.FillRectangle(img, 6, 6, 2, 2, Rgb.White, 0.25f);
        Assert.Equal(new Rgb(160, 101, 68), At(img, 6, 6)); // 128 + 127 * 0.25, 50 + 205 * 0.25, 5 + 250 * 0.25, rounded

        Drawing.FillRectangle(img, 0, 0, 2, 2, Red, 0f);
        Drawing.FillRectangle(img, int.MaxValue - 1, int.MinValue, int.MaxValue, int.MaxValue, Red);
        Assert.Equal(Rgb.Black, At(img, 0, 0));
    }

    [Fact]
    public void Aliased_line_is_continuous_and_clipped()
    {
        var img = RgbImage.Filled(10, 10, 0);
        Drawing.Line(img, -50.5f, 4.5f, 50.5f, 4.5f, Red);
        for (int x = 0; x < 10; x++) Assert.Equal(Red, At(img, x, 4));
        Assert.Equal(10, CountNot(img, Rgb.Black));

        var diag = RgbImage.Filled(10, 10, 0);
        Drawing.Line(diag, 0.5f, 0.5f, 9.5f, 9.5f, Red);
        for (int i = 0; i < 10; i++) Assert.Equal(Red, At(diag, i, i));
        Assert.Equal(10, CountNot(diag, Rgb.Black));
    }

    [Fact]
    public void Lines_with_extreme_or_undefined_coordinates_do_not_throw()
    {
        var img = RgbImage.Filled(10, 10, 0);
        Drawing.Line(img, float.NaN, 0, 5, 5, Red);
        Drawing.Line(img, 0, float.PositiveInfinity, 5, 5, Red, 3, true);
        Drawing.Line(img, -1e30f, -1e30f, 1e30f, 1e30f, Red, 1);
        Drawing.Line(img, -1e30f, 5, 1e30f, 5, Red, 3, true);
        Drawing.Line(img, 100, 100, 200, 300, Red, 2, true);
        Assert.True(CountNot(img, Rgb.Black) > 0);
    }

    [Fact]
    public void Thick_antialiased_line_covers_its_width_with_soft_edges()
    {
        var img = RgbImage.Filled(20, 20, 0);
        Drawing.Line(img, 2, 10, 18, 10, Rgb.White, 4, antialias: true);
        // Band y in [8, 12): rows 8..11 fully covered in the middle, rows 7 and 12 untouched.
        for (int y = 8; y < 12; y++) Assert.Equal(Rgb.White, At(img, 10, y));
        Assert.Equal(Rgb.Black, At(img, 10, 7));
        Assert.Equal(Rgb.Black, At(img, 10, 12));

        var soft = RgbImage.Filled(20, 20, 0);
        Drawing.Line(soft, 2, 10, 18, 10.5f, Rgb.White, 3, antialias: true);
        bool hasPartial = false;
        for (int y = 0; y < 20; y++) { byte v = At(soft, 10, y).R; hasPartial |= v is > 20 and < 235; }
        Assert.True(hasPartial, "antialiased edge should blend partially covered pixels");
    }

    [Fact]
    public void FillCircle_aliased_contains_pixel_centres_within_radius()
    {
        var img = RgbImage.Filled(21, 21, 0);
        Drawing.FillCircle(img, 10.5f, 10.5f, 5f, Red);
        for (int y = 0; y < 21; y++)
            for (int x = 0; x < 21; x++)
            {
                float dx = x - 10, dy = y - 10;
                bool inside = dx * dx + dy * dy <= 25;
                Assert.Equal(inside ? Red : Rgb.Black, At(img, x, y));
            }
    }

    [Fact]
    public void Circle_outline_leaves_the_centre_and_clips()
    {
        var img = RgbImage.Filled(21, 21, 0);
        Drawing.Circle(img, 10.5f, 10.5f, 8f, Red, 1, antialias: true);
        Assert.Equal(Rgb.Black, At(img, 10, 10));
        Assert.True(At(img, 18, 10).R > 100);
        Drawing.Circle(img, 0, 0, 1000f, Red, 2);
        Drawing.FillCircle(img, -1e20f, 0, 5f, Red);
        Drawing.FillCircle(img, 5, 5, float.NaN, Red);
    }

    [Fact]
    public void FillPolygon_triangle_covers_inside_and_matches_area_when_antialiased()
    {
        var img = RgbImage.Filled(20, 20, 0);
        (float, float)[] triangle = [(2, 2), (18, 2), (2, 18)];
        Drawing.FillPolygon(img, triangle, Rgb.White, antialias: true);
        double ink = 0;
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
                ink += At(img, x, y).R / 255.0;
        Assert.InRange(ink, 128 - 2, 128 + 2); // area 16 * 16 / 2
        Assert.Equal(Rgb.White, At(img, 4, 4));
        Assert.Equal(Rgb.Black, At(img, 15, 15));
    }

    [Fact]
    public void FillPolygon_fill_rules_differ_on_self_overlap()
    {
        // Two passes around the same square: even-odd cancels, non-zero fills.
        (float, float)[] twice = [(2, 2), (8, 2), (8, 8), (2, 8), (2, 2), (8, 2), (8, 8), (2, 8)];
        var evenOdd = RgbImage.Filled(10, 10, 0);
        Drawing.FillPolygon(evenOdd, twice, Red, FillRule.EvenOdd);
        var nonZero = RgbImage.Filled(10, 10, 0);
        Drawing.FillPolygon(nonZero, twice, Red, FillRule.NonZero);
        Assert.Equal(Rgb.Black, At(evenOdd, 5, 5));
        Assert.Equal(Red, At(nonZero, 5, 5));
        Assert.Equal(36, CountNot(nonZero, Rgb.Black));
    }

    [Fact]
    public void FillPolygon_outside_or_degenerate_draws_nothing()
    {
        var img = RgbImage.Filled(10, 10, 0);
        Drawing.FillPolygon(img, new (float, float)[] { (20, 20), (30, 20), (25, 30) }, Red);
        Drawing.FillPolygon(img, new (float, float)[] { (1, 1), (5, 5) }, Red);
        Drawing.FillPolygon(img, new (float, float)[] { (1, 1), (5, float.NaN), (1, 5) }, Red);
        Drawing.FillPolygon(img, ReadOnlySpan<(float, float)>.Empty, Red);
        Assert.Equal(0, CountNot(img, Rgb.Black));
    }

    [Fact]
    public void Polyline_draws_every_segment()
    {
        var img = RgbImage.Filled(12, 12, 0);
        Drawing.Polyline(img, new (float, float)[] { (1.5f, 1.5f), (10.5f, 1.5f), (10.5f, 10.5f) }, Red);
        Assert.Equal(Red, At(img, 5, 1));
        Assert.Equal(Red, At(img, 10, 6));
        Assert.Equal(Rgb.Black, At(img, 5, 6));
    }

    [Theory]
    [InlineData("Hello, world", 1)]
    [InlineData("mAP50-95(B) gjpqy_", 2)]
    [InlineData("two\nlines\u00e9", 3)]
    public void Text_ink_stays_inside_MeasureText_bounds(string text, int scale)
    {
        var img = RgbImage.Filled(300, 100, 0);
        const int x0 = 7, y0 = 9;
        Drawing.Text(img, x0, y0, text, Rgb.White, scale);
        var (w, h) = Drawing.MeasureText(text, scale);
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (At(img, x, y) == Rgb.White)
                { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
        Assert.True(maxX >= 0, "text drew nothing");
        Assert.True(minX >= x0 && minY >= y0 && maxX < x0 + w && maxY < y0 + h, $"ink [{minX},{minY}]-[{maxX},{maxY}] outside {w}x{h} at ({x0},{y0})");
        Assert.True(maxX == x0 + w - 1, "the last glyph has ink in its rightmost column, so the measure is tight");
    }

    [Fact]
    public void MeasureText_counts_advance_lines_and_scale()
    {
        Assert.Equal((0, 0), Drawing.MeasureText(""));
        Assert.Equal((5, 8), Drawing.MeasureText("A"));
        Assert.Equal((17, 8), Drawing.MeasureText("ABC"));
        Assert.Equal((34, 16), Drawing.MeasureText("ABC", 2));
        Assert.Equal((17, 18), Drawing.MeasureText("AB\nABC"));
    }

    [Fact]
    public void Text_is_clipped_at_image_borders_without_throwing()
    {
        var img = RgbImage.Filled(10, 10, 0);
        Drawing.Text(img, -3, -2, "WWW", Rgb.White, 2);
        Drawing.Text(img, int.MaxValue - 5, int.MinValue + 5, "x", Rgb.White, 3);
        Drawing.TextVertical(img, 5, -20, "long vertical text", Rgb.White);
        Assert.True(CountNot(img, Rgb.Black) > 0);
    }

    [Fact]
    public void TextVertical_occupies_the_transposed_block()
    {
        var img = RgbImage.Filled(40, 60, 0);
        Drawing.TextVertical(img, 10, 5, "Loss", Rgb.White);
        var (w, h) = Drawing.MeasureText("Loss");
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (At(img, x, y) == Rgb.White)
                    Assert.True(x >= 10 && x < 10 + h && y >= 5 && y < 5 + w, $"ink at ({x},{y}) outside the rotated block");
    }

    [Fact]
    public void BoxLabel_places_tag_above_box_with_contrasting_text()
    {
        var img = RgbImage.Filled(100, 80, 0);
        var yellow = new Rgb(255, 220, 0);
        Drawing.BoxLabel(img, new BoxF(20, 40, 70, 70), "dog", yellow, thickness: 1, textScale: 1);
        // The tag fills the rows just above the box top (y = 40) starting at the box's left edge.
        Assert.Equal(yellow, At(img, 20, 39));
        Assert.Equal(yellow, At(img, 20, 40));
        bool dark = false;
        for (int y = 26; y < 40; y++)
            for (int x = 20; x < 45; x++)
                dark |= At(img, x, y) == Rgb.Black;
        Assert.True(dark, "text on a light tag should be black");
        Assert.Equal(Rgb.Black, At(img, 45, 55)); // box interior untouched
    }

    [Fact]
    public void BoxLabel_at_the_top_edge_puts_the_tag_inside_the_box_and_inside_the_image()
    {
        var img = RgbImage.Filled(60, 60, 255);
        var navy = new Rgb(20, 30, 120);
        Drawing.BoxLabel(img, new BoxF(40, 0, 60, 30), "person 0.9", navy, thickness: 1, textScale: 1);
        Assert.Equal(navy, At(img, 59, 1));
        Assert.Equal(navy, At(img, 0, 1)); // a tag wider than the box is shifted left to stay in the image
        bool white = false;
        for (int x = 0; x < 60; x++) white |= At(img, x, 4) == Rgb.White;
        Assert.True(white, "text on a dark tag should be white");
        Drawing.BoxLabel(img, new BoxF(-100, -100, 1e9f, float.NaN), "x", navy);
    }

    [Fact]
    public void Palette_gives_twenty_distinct_colours_and_wraps()
    {
        var seen = new HashSet<Rgb>();
        for (int i = 0; i < Palette.Count; i++) seen.Add(Palette.ForClass(i));
        Assert.Equal(20, seen.Count);
        for (int i = 0; i < Palette.Count; i++)
            for (int j = i + 1; j < Palette.Count; j++)
                Assert.True(Rgb.Distance(Palette.ForClass(i), Palette.ForClass(j)) > 40, $"classes {i} and {j} look alike");
        Assert.Equal(Palette.ForClass(3), Palette.ForClass(23));
        Assert.Equal(Palette.ForClass(19), Palette.ForClass(-1));
        Assert.Equal(Rgb.Black, Palette.ContrastingText(Rgb.White));
        Assert.Equal(Rgb.White, Palette.ContrastingText(new Rgb(30, 30, 90)));
    }

    [Fact]
    public void Font_has_a_distinct_glyph_for_every_printable_character_and_a_box_for_others()
    {
        var shapes = new HashSet<string>();
        for (char c = ' '; c <= '~'; c++)
        {
            Assert.True(BitmapFont.HasGlyph(c));
            var bits = new System.Text.StringBuilder();
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                    bits.Append(BitmapFont.IsPixelSet(c, col, r) ? '#' : '.');
            Assert.True(shapes.Add(bits.ToString()), $"glyph '{c}' duplicates another");
        }
        Assert.False(BitmapFont.HasGlyph('\u00e9'));
        Assert.True(BitmapFont.IsPixelSet('\u00e9', 0, 0) && BitmapFont.IsPixelSet('\u00e9', 4, 6) && !BitmapFont.IsPixelSet('\u00e9', 2, 3));
        Assert.False(BitmapFont.IsPixelSet('A', 5, 0));
    }
}
