namespace Forge.Data.Imaging;

/// <summary>An 8-bit RGB colour, the colour type of all drawing and plotting.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Black => new(0, 0, 0);
    public static Rgb White => new(255, 255, 255);

    public static Rgb Gray(byte level) => new(level, level, level);

    /// <summary>From 0xRRGGBB.</summary>
    public static Rgb FromHex(uint rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    /// <summary>Perceived brightness 0..255 (Rec. 601 weights), used to pick readable text colours.</summary>
    public float Luminance => 0.299f * R + 0.587f * G + 0.114f * B;

    /// <summary>Linear mix: t = 0 gives <paramref name="a"/>, t = 1 gives <paramref name="b"/>; t is clamped to [0, 1].</summary>
    public static Rgb Lerp(Rgb a, Rgb b, float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return new((byte)(a.R + (b.R - a.R) * t + 0.5f), (byte)(a.G + (b.G - a.G) * t + 0.5f), (byte)(a.B + (b.B - a.B) * t + 0.5f));
    }

    /// <summary>Euclidean distance in RGB space (0..441).</summary>
    public static float Distance(Rgb a, Rgb b)
    {
        int dr = a.R - b.R, dg = a.G - b.G, db = a.B - b.B;
        return MathF.Sqrt(dr * dr + dg * dg + db * db);
    }

    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}";
}
