using Forge.Core.Randomness;
using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics RandomHSV (ultralytics/data/augment.py): gains g = 1 + U(-1, 1) * (hgain, sgain, vgain); cv2.cvtColor
/// BGR to 8-bit HSV (hue 0..180), lookup tables hue (x * gH) mod 180 and saturation/value x * g clipped to 255 (computed
/// in float64 and truncated, as numpy's astype(uint8) does), cv2.LUT on each channel, then back to BGR in place.
/// </summary>
public static class HsvAugment
{
    /// <summary>Draws the three gains from <paramref name="rng"/> and applies them in place. Zero ranges leave the image untouched and draw nothing.</summary>
    public static void Apply(Mat image, double hGain, double sGain, double vGain, DeterministicRandom rng)
    {
        if (hGain == 0 && sGain == 0 && vGain == 0) return;
        double gh = rng.Uniform(-1, 1) * hGain + 1;
        double gs = rng.Uniform(-1, 1) * sGain + 1;
        double gv = rng.Uniform(-1, 1) * vGain + 1;
        ApplyGains(image, gh, gs, gv);
    }

    /// <summary>Multiplies hue (mod 180), saturation and value of an 8-bit BGR image by the given gains, in place.</summary>
    public static void ApplyGains(Mat image, double hueGain, double satGain, double valGain)
    {
        var lutH = new byte[256];
        var lutS = new byte[256];
        var lutV = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            lutH[x] = (byte)(int)Modulo(x * hueGain, 180.0);
            lutS[x] = (byte)(int)Math.Clamp(x * satGain, 0, 255);
            lutV[x] = (byte)(int)Math.Clamp(x * valGain, 0, 255);
        }
        using var hsv = new Mat();
        Cv2.CvtColor(image, hsv, ColorConversionCodes.BGR2HSV);
        var channels = Cv2.Split(hsv);
        try
        {
            Cv2.LUT(channels[0], lutH, channels[0]);
            Cv2.LUT(channels[1], lutS, channels[1]);
            Cv2.LUT(channels[2], lutV, channels[2]);
            Cv2.Merge(channels, hsv);
        }
        finally
        {
            foreach (var c in channels) c.Dispose();
        }
        Cv2.CvtColor(hsv, image, ColorConversionCodes.HSV2BGR);
    }

    /// <summary>numpy's % for floats: the exact remainder, with the divisor's sign.</summary>
    static double Modulo(double a, double b)
    {
        double m = a % b;
        return m < 0 ? m + b : m;
    }
}
