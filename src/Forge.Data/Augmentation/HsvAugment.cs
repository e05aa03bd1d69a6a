using Forge.Core.Randomness;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics RandomHSV: random gains g = 1 + U(-1, 1) * (hGain, sGain, vGain); in OpenCV's 8-bit HSV (hue 0..180)
/// hue becomes (h * gH) mod 180 and saturation/value are multiplied and clipped to 255, through lookup tables.
/// The RGB/HSV conversions follow OpenCV's 8-bit formulas.
/// </summary>
public static class HsvAugment
{
    const int Shift = 12;
    static readonly int[] SatDiv = BuildTable(255 << Shift, 1.0);
    static readonly int[] HueDiv = BuildTable(180 << Shift, 6.0);

    static int[] BuildTable(int numerator, double factor)
    {
        var t = new int[256];
        for (int i = 1; i < 256; i++) t[i] = (int)Math.Round(numerator / (factor * i));
        return t;
    }

    /// <summary>Draws the three gains from <paramref name="rng"/> and applies them in place. Zero ranges leave the image untouched.</summary>
    public static void Apply(RgbImage image, double hGain, double sGain, double vGain, DeterministicRandom rng)
    {
        if (hGain == 0 && sGain == 0 && vGain == 0) return;
        double gh = rng.Uniform(-1, 1) * hGain + 1;
        double gs = rng.Uniform(-1, 1) * sGain + 1;
        double gv = rng.Uniform(-1, 1) * vGain + 1;
        ApplyGains(image, gh, gs, gv);
    }

    /// <summary>Multiplies hue (mod 180), saturation and value by the given gains, in place.</summary>
    public static unsafe void ApplyGains(RgbImage image, double hueGain, double satGain, double valGain)
    {
        Span<byte> lutH = stackalloc byte[256], lutS = stackalloc byte[256], lutV = stackalloc byte[256];
        for (int x = 0; x < 256; x++)
        {
            lutH[x] = (byte)((x * hueGain) % 180.0);
            lutS[x] = (byte)Math.Clamp(x * satGain, 0, 255);
            lutV[x] = (byte)Math.Clamp(x * valGain, 0, 255);
        }
        const float HueToSector = 6f / 180f;
        fixed (byte* p0 = image.Pixels)
        fixed (int* sdiv = SatDiv)
        fixed (int* hdiv = HueDiv)
        {
            byte* p = p0, end = p0 + image.Pixels.Length;
            for (; p < end; p += 3)
            {
                int r = p[0], g = p[1], b = p[2];
                int v = Math.Max(r, Math.Max(g, b));
                int diff = v - Math.Min(r, Math.Min(g, b));
                int s = (diff * sdiv[v] + (1 << (Shift - 1))) >> Shift;
                int h = v == r ? g - b : v == g ? b - r + 2 * diff : r - g + 4 * diff;
                h = (h * hdiv[diff] + (1 << (Shift - 1))) >> Shift;
                if (h < 0) h += 180;

                int hv = lutH[h], sv = lutS[s], vv = lutV[v];
                if (sv == 0) { p[0] = p[1] = p[2] = (byte)vv; continue; }
                float fs = sv * (1f / 255f), fv = vv;
                float hf = hv * HueToSector;
                int sector = (int)hf;
                float frac = hf - sector;
                float pp = fv * (1 - fs), q = fv * (1 - fs * frac), t = fv * (1 - fs * (1 - frac));
                float rr, gg, bb;
                switch (sector)
                {
                    case 0: rr = fv; gg = t; bb = pp; break;
                    case 1: rr = q; gg = fv; bb = pp; break;
                    case 2: rr = pp; gg = fv; bb = t; break;
                    case 3: rr = pp; gg = q; bb = fv; break;
                    case 4: rr = t; gg = pp; bb = fv; break;
                    default: rr = fv; gg = pp; bb = q; break;
                }
                p[0] = (byte)(rr + 0.5f);
                p[1] = (byte)(gg + 0.5f);
                p[2] = (byte)(bb + 0.5f);
            }
        }
    }
}
