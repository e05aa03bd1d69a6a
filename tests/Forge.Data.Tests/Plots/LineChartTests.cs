using Forge.Data.Imaging;
using Forge.Data.Plots;
using static Forge.Data.Tests.Plots.PlotTestImages;

namespace Forge.Data.Tests.Plots;

public class LineChartTests
{
    static readonly Rgb SeriesColor = new(255, 0, 0);

    static (double, double)[] Ramp(int n) => Enumerable.Range(0, n).Select(i => ((double)i, i * 0.5)).ToArray();

    [Fact]
    public void Renders_a_png_that_decodes_and_shows_the_series_and_axes()
    {
        using var tmp = new TempFolder();
        var chart = new LineChart { Title = "loss", XLabel = "epoch", YLabel = "value" };
        chart.AddSeries("train", Ramp(20), SeriesColor);
        string path = tmp.File("chart.png");
        chart.Save(path, 320, 240);

        var img = RgbImage.Read(path);
        Assert.Equal((320, 240), (img.Width, img.Height));
        Assert.Equal(Rgb.White, At(img, 0, 0));
        Assert.True(CountNear(img, SeriesColor) > 100, "the series line should be drawn");
        Assert.True(Count(img, c => c.R < 100 && c.G < 100 && c.B < 100) > 200, "text and frame should be drawn in dark grey");
    }

    [Fact]
    public void Fixed_ranges_clip_lines_to_the_axes()
    {
        var inside = new LineChart { YRange = (0, 100) };
        inside.AddSeries("s", Ramp(20), SeriesColor);
        Assert.True(CountNear(inside.Render(200, 150), SeriesColor) > 20);

        var outside = new LineChart { YRange = (50, 100), Legend = LegendPosition.None };
        outside.AddSeries("s", Ramp(20), SeriesColor); // y goes up to 9.5 only: entirely below the range
        Assert.Equal(0, CountNear(outside.Render(200, 150), SeriesColor, tolerance: 60));
    }

    [Fact]
    public void Gaps_and_empty_charts_render_without_throwing()
    {
        var chart = new LineChart { Title = "gaps" };
        chart.AddSeries("s", [(0, 1), (1, double.NaN), (2, 3), (double.PositiveInfinity, 2), (4, 1)], SeriesColor);
        Assert.True(CountNear(chart.Render(160, 120), SeriesColor) > 0);

        var empty = new LineChart { Title = "nothing" };
        var img = empty.Render(160, 120);
        Assert.True(CountNonWhite(img) > 100, "axes and 'no data' note should still be drawn");

        var flat = new LineChart();
        flat.AddSeries("constant", [(1, 5), (1, 5)], SeriesColor);
        Assert.True(CountNear(flat.Render(160, 120), SeriesColor) > 0);
    }

    [Fact]
    public void Dashed_and_dotted_lines_draw_less_ink_than_solid()
    {
        int Ink(LineStyle style)
        {
            var chart = new LineChart { Legend = LegendPosition.None };
            chart.Series.Add(new LineSeries("s", Ramp(30)) { Color = SeriesColor, Style = style });
            return CountNear(chart.Render(300, 200), SeriesColor, 60);
        }
        int solid = Ink(LineStyle.Solid), dashed = Ink(LineStyle.Dashed), dotted = Ink(LineStyle.Dotted);
        Assert.True(dashed < solid * 0.85 && dashed > solid * 0.3, $"dashed {dashed} vs solid {solid}");
        Assert.True(dotted < solid * 0.7 && dotted > 0, $"dotted {dotted} vs solid {solid}");
    }

    [Fact]
    public void Legend_shows_series_names_and_can_be_hidden()
    {
        LineChart Make(LegendPosition legend)
        {
            var chart = new LineChart { Legend = legend };
            chart.AddSeries("a long series name", Ramp(10), SeriesColor);
            return chart;
        }
        int withLegend = CountNonWhite(Make(LegendPosition.TopLeft).Render(300, 200));
        int without = CountNonWhite(Make(LegendPosition.None).Render(300, 200));
        Assert.True(withLegend > without + 50, $"{withLegend} vs {without}");
    }

    [Fact]
    public void Mismatched_x_and_y_lengths_are_rejected_with_the_series_name()
    {
        var chart = new LineChart();
        var e = Assert.Throws<ArgumentException>(() => chart.AddSeries("recall", new double[3], new double[4]));
        Assert.Contains("recall", e.Message);
    }
}
