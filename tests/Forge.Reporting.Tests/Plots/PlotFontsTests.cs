using Forge.Reporting.Plots;
using ScottPlot;

namespace Forge.Reporting.Tests.Plots;

public class PlotFontsTests
{
    [Fact]
    public void The_embedded_font_is_the_default_and_has_latin_greek_and_cyrillic()
    {
        PlotFonts.Install();
        Assert.Equal(PlotFonts.Family, Fonts.Default);
        Assert.Equal(PlotFonts.Family, PlotFonts.For("metrics/mAP50-95(B) αβγ жук é"));
        // Resolved by the embedded resolver, so it exists on a machine without any installed font.
        using var regular = Fonts.GetTypeface(PlotFonts.Family, bold: false, italic: false);
        using var bold = Fonts.GetTypeface(PlotFonts.Family, bold: true, italic: false);
        Assert.Equal(PlotFonts.Family, regular.FamilyName);
        Assert.True(regular.ContainsGlyphs("Precision-Recall Curve 0.95"));
        Assert.True(bold.IsBold || bold.FontWeight >= 600, $"bold weight {bold.FontWeight}");
        Assert.True(PlotFonts.MeasureWidth("background", 12) is > 40 and < 100);
    }

    [Fact]
    public void Text_is_drawn()
    {
        var plot = new Plot();
        PlotFonts.Install();
        plot.Title("TITLE TEXT", size: 30);
        var img = ChartPixels.Of(plot.GetImage(400, 300));
        Assert.True(img.CountDark((0, 0, 400, 40)) > 500, "the title's glyphs");
    }
}
