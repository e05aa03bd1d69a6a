namespace Forge.Data.Imaging;

/// <summary>Class colours for boxes and plots: 20 saturated, mutually distinct hues that stay readable on photos and on white.</summary>
public static class Palette
{
    // Ordered so that neighbouring class ids get far-apart hues (datasets often have few classes).
    static readonly Rgb[] Colors =
    [
        Rgb.FromHex(0xE6194B), // red
        Rgb.FromHex(0x1F9E48), // green
        Rgb.FromHex(0x2F6FDB), // blue
        Rgb.FromHex(0xF58231), // orange
        Rgb.FromHex(0x8E2AB8), // purple
        Rgb.FromHex(0x17BECF), // cyan
        Rgb.FromHex(0xE83CC8), // magenta
        Rgb.FromHex(0x9BC01A), // lime
        Rgb.FromHex(0x8C5A2B), // brown
        Rgb.FromHex(0x00807A), // teal
        Rgb.FromHex(0xFFC20A), // amber
        Rgb.FromHex(0x1B2F8A), // navy
        Rgb.FromHex(0xFF7F9E), // pink
        Rgb.FromHex(0x6B8E23), // olive
        Rgb.FromHex(0x9A6FF0), // lavender
        Rgb.FromHex(0xA0141E), // maroon
        Rgb.FromHex(0x3FD6A0), // mint
        Rgb.FromHex(0xD9A066), // tan
        Rgb.FromHex(0x5A6B7A), // slate
        Rgb.FromHex(0xC71585), // violet red
    ];

    public static int Count => Colors.Length;

    /// <summary>The colour of a class id; ids wrap around, negative ids are allowed.</summary>
    public static Rgb ForClass(int classId) => Colors[((classId % Colors.Length) + Colors.Length) % Colors.Length];

    /// <summary>Black or white, whichever reads better on <paramref name="background"/>.</summary>
    public static Rgb ContrastingText(Rgb background) => background.Luminance > 150f ? Rgb.Black : Rgb.White;
}
