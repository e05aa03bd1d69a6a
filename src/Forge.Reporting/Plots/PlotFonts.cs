using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace Forge.Reporting.Plots;

/// <summary>
/// The plots' typeface: DejaVu Sans (regular and bold), embedded in this assembly, so text renders the same on every machine
/// and at all on one without installed fonts (SkiaSharp's self-contained Linux library finds none there and draws no text).
/// The embedded subset covers Latin, Greek and Cyrillic; text with other characters (e.g. CJK class names) gets an
/// installed font that has them, through ScottPlot's <see cref="Fonts.Detect"/>.
/// </summary>
public static class PlotFonts
{
    public const string Family = "DejaVu Sans";

    static readonly SKData RegularData = Load("DejaVuSans.ttf");
    static readonly SKData BoldData = Load("DejaVuSans-Bold.ttf");
    static readonly SKTypeface Regular = Typeface(RegularData);
    static readonly object Gate = new();
    static bool installed;

    static SKData Load(string file)
    {
        string name = "Forge.Reporting.Fonts." + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded font {name} is missing from {Assembly.GetExecutingAssembly().Location}");
        return SKData.Create(stream);
    }

    static SKTypeface Typeface(SKData data) =>
        SKTypeface.FromData(data) ?? throw new InvalidOperationException("an embedded font of Forge.Reporting cannot be read");

    /// <summary>Makes <see cref="Family"/> ScottPlot's default font (process-wide, idempotent); every plot calls it first.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (installed) return;
            Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
            Fonts.Default = Family;
            Fonts.Sans = Family;
            installed = true;
        }
    }

    /// <summary><see cref="Family"/> when it has every character of <paramref name="text"/>, else an installed font that does.</summary>
    public static string For(string text)
    {
        Install();
        return Regular.ContainsGlyphs(text) ? Family : Fonts.Detect(text);
    }

    sealed class EmbeddedResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);

        // A new typeface over the shared font bytes each time: the caller owns (and may dispose) what it gets.
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? Typeface(bold ? BoldData : RegularData) : null;
    }

    /// <summary>Width of <paramref name="text"/> in the embedded font at <paramref name="size"/> (ScottPlot's unscaled pixels).</summary>
    public static float MeasureWidth(string text, float size)
    {
        using var font = new SKFont(Regular, size);
        return font.MeasureText(text);
    }
}
