namespace Forge.Data.Imaging;

/// <summary>
/// Affine image warping with bilinear sampling (cv2.warpAffine semantics: integer pixel coordinates map through the
/// matrix, constant border). Runs for every training sample, so it uses inverse mapping with incremental coordinates
/// and 8-bit fixed-point weights.
/// </summary>
public static class AffineWarp
{
    /// <summary>
    /// Warps <paramref name="src"/> by the 2x3 matrix <paramref name="m"/> (row-major, mapping source to destination:
    /// x' = m0 x + m1 y + m2, y' = m3 x + m4 y + m5) into a new dstW x dstH image; uncovered pixels get <paramref name="border"/>.
    /// </summary>
    public static RgbImage Apply(RgbImage src, ReadOnlySpan<float> m, int dstW, int dstH, byte border = 114)
    {
        var dst = new RgbImage(dstW, dstH);
        Apply(src, m, dst, border);
        return dst;
    }

    /// <summary>Same as <see cref="Apply(RgbImage, ReadOnlySpan{float}, int, int, byte)"/>, writing into an existing image.</summary>
    public static unsafe void Apply(RgbImage src, ReadOnlySpan<float> m, RgbImage dst, byte border = 114)
    {
        if (m.Length != 6) throw new ArgumentException($"affine matrix needs 6 values (2x3), got {m.Length}", nameof(m));
        double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
        double det = a * e - b * d;
        if (Math.Abs(det) < 1e-12) throw new ArgumentException("affine matrix is singular (it collapses the image to a line)", nameof(m));
        // Inverse: destination pixel -> source position.
        double ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
        double ic = -(ia * c + ib * f), iff = -(id * c + ie * f);

        const int Bits = 8, One = 1 << Bits;
        int sw = src.Width, sh = src.Height, stride = sw * 3, dw = dst.Width, dh = dst.Height;
        fixed (byte* sp = src.Pixels)
        fixed (byte* dp = dst.Pixels)
        {
            for (int y = 0; y < dh; y++)
            {
                // Coordinates in 1/256 pixel, advanced per column; doubles per row keep drift far below a step.
                double rowX = (ib * y + ic) * One, rowY = (ie * y + iff) * One;
                long stepX = (long)Math.Round(ia * One * 65536), stepY = (long)Math.Round(id * One * 65536);
                long fxAcc = (long)Math.Round(rowX * 65536), fyAcc = (long)Math.Round(rowY * 65536);
                byte* o = dp + y * dw * 3;
                for (int x = 0; x < dw; x++, o += 3, fxAcc += stepX, fyAcc += stepY)
                {
                    long px = fxAcc >> 16, py = fyAcc >> 16; // floor, in 1/256 pixel
                    long x0 = px >> Bits, y0 = py >> Bits;
                    int wx = (int)(px & (One - 1)), wy = (int)(py & (One - 1));
                    if ((ulong)x0 < (ulong)(sw - 1) && (ulong)y0 < (ulong)(sh - 1))
                    {
                        byte* p = sp + y0 * stride + x0 * 3;
                        byte* q = p + stride;
                        int w00 = (One - wx) * (One - wy), w01 = wx * (One - wy), w10 = (One - wx) * wy, w11 = wx * wy;
                        o[0] = (byte)((p[0] * w00 + p[3] * w01 + q[0] * w10 + q[3] * w11 + (1 << 15)) >> 16);
                        o[1] = (byte)((p[1] * w00 + p[4] * w01 + q[1] * w10 + q[4] * w11 + (1 << 15)) >> 16);
                        o[2] = (byte)((p[2] * w00 + p[5] * w01 + q[2] * w10 + q[5] * w11 + (1 << 15)) >> 16);
                    }
                    else if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh)
                    {
                        o[0] = border; o[1] = border; o[2] = border;
                    }
                    else
                    {
                        // Along the source edge: neighbours outside the image count as border (BORDER_CONSTANT).
                        int w00 = (One - wx) * (One - wy), w01 = wx * (One - wy), w10 = (One - wx) * wy, w11 = wx * wy;
                        for (int ch = 0; ch < 3; ch++)
                        {
                            int v = Sample(sp, sw, sh, x0, y0, ch, border) * w00 + Sample(sp, sw, sh, x0 + 1, y0, ch, border) * w01
                                  + Sample(sp, sw, sh, x0, y0 + 1, ch, border) * w10 + Sample(sp, sw, sh, x0 + 1, y0 + 1, ch, border) * w11;
                            o[ch] = (byte)((v + (1 << 15)) >> 16);
                        }
                    }
                }
            }
        }
    }

    static unsafe int Sample(byte* sp, int w, int h, long x, long y, int ch, byte border) =>
        (ulong)x < (ulong)w && (ulong)y < (ulong)h ? sp[(y * w + x) * 3 + ch] : border;

    /// <summary>Maps a point through a 2x3 matrix.</summary>
    public static (float X, float Y) Transform(ReadOnlySpan<float> m, float x, float y) =>
        (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]);
}
