using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics random_perspective restricted to affine warps (perspective = 0): about the image centre, rotate by
/// ±Degrees and scale by [1 - Scale, 1 + Scale], shear by ±Shear degrees, then move the centre to
/// [0.5 - Translate, 0.5 + Translate] of the output size. The output is (w + 2 border) x (h + 2 border); a mosaic
/// uses border -s/2 to come back to s x s. Boxes: corners transformed, enclosing box clipped, and kept only when they
/// pass <see cref="IsCandidate"/>.
/// </summary>
public static class RandomAffine
{
    public static LabeledImage Apply(LabeledImage input, AugmentOptions options, DeterministicRandom rng, int border = 0)
    {
        int srcW = input.Image.Width, srcH = input.Image.Height;
        int outW = srcW + 2 * border, outH = srcH + 2 * border;
        if (outW <= 0 || outH <= 0) throw new ArgumentException($"border {border} leaves no output for a {srcW}x{srcH} image", nameof(border));
        var m = BuildMatrix(srcW, srcH, outW, outH, options, rng, out float scale);

        bool identity = border == 0 && m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 0;
        var image = identity ? input.Image : AffineWarp.Apply(input.Image, m, outW, outH, Letterbox.PadValue);

        var boxes = new List<BoxF>(input.Count);
        var classes = new List<int>(input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            var before = input.Boxes[i];
            var after = TransformBox(m, before).Clip(outW, outH);
            if (IsCandidate(before.Width * scale, before.Height * scale, after))
            {
                boxes.Add(after);
                classes.Add(input.Classes[i]);
            }
        }
        return new LabeledImage(image, boxes.ToArray(), classes.ToArray());
    }

    /// <summary>
    /// Draws the random transform (in this order: angle, scale, shear x, shear y, translation x, y) and returns the
    /// 2x3 source-to-output matrix; <paramref name="scale"/> is the drawn scale, used to judge boxes afterwards.
    /// </summary>
    public static float[] BuildMatrix(int srcW, int srcH, int outW, int outH, AugmentOptions o, DeterministicRandom rng, out float scale)
    {
        double angle = rng.Uniform(-o.Degrees, o.Degrees) * Math.PI / 180.0;
        double s = rng.Uniform(1 - o.Scale, 1 + o.Scale);
        double shx = Math.Tan(rng.Uniform(-o.Shear, o.Shear) * Math.PI / 180.0);
        double shy = Math.Tan(rng.Uniform(-o.Shear, o.Shear) * Math.PI / 180.0);
        double tx = rng.Uniform(0.5 - o.Translate, 0.5 + o.Translate) * outW;
        double ty = rng.Uniform(0.5 - o.Translate, 0.5 + o.Translate) * outH;

        // Rotation+scale as cv2.getRotationMatrix2D about the origin (positive angle turns counter-clockwise on screen).
        double alpha = s * Math.Cos(angle), beta = s * Math.Sin(angle);
        double r00 = alpha, r01 = beta, r10 = -beta, r11 = alpha;
        // Shear after rotation: A = Shear * Rotation.
        double a00 = r00 + shx * r10, a01 = r01 + shx * r11;
        double a10 = shy * r00 + r10, a11 = shy * r01 + r11;
        // Centre first: x' = A (x - c) + t.
        double cx = srcW / 2.0, cy = srcH / 2.0;
        scale = (float)s;
        return
        [
            (float)a00, (float)a01, (float)(tx - a00 * cx - a01 * cy),
            (float)a10, (float)a11, (float)(ty - a10 * cx - a11 * cy),
        ];
    }

    /// <summary>The axis-aligned box enclosing the four transformed corners.</summary>
    public static BoxF TransformBox(ReadOnlySpan<float> m, BoxF b)
    {
        var (ax, ay) = AffineWarp.Transform(m, b.X1, b.Y1);
        var (bx, by) = AffineWarp.Transform(m, b.X2, b.Y2);
        var (cx, cy) = AffineWarp.Transform(m, b.X1, b.Y2);
        var (dx, dy) = AffineWarp.Transform(m, b.X2, b.Y1);
        return new BoxF(
            Math.Min(Math.Min(ax, bx), Math.Min(cx, dx)), Math.Min(Math.Min(ay, by), Math.Min(cy, dy)),
            Math.Max(Math.Max(ax, bx), Math.Max(cx, dx)), Math.Max(Math.Max(ay, by), Math.Max(cy, dy)));
    }

    /// <summary>
    /// Ultralytics box_candidates: a transformed box is kept when both sides exceed 2 px, it keeps more than 10% of
    /// the area it would have had from scaling alone (so mostly-clipped boxes go), and its aspect ratio stays below 100.
    /// </summary>
    public static bool IsCandidate(float scaledWidth, float scaledHeight, BoxF after,
        float minSide = 2f, float minAreaRatio = 0.1f, float maxAspect = 100f)
    {
        const float Eps = 1e-16f;
        float w2 = after.Width, h2 = after.Height;
        float aspect = Math.Max(w2 / (h2 + Eps), h2 / (w2 + Eps));
        return w2 > minSide && h2 > minSide && w2 * h2 / (scaledWidth * scaledHeight + Eps) > minAreaRatio && aspect < maxAspect;
    }
}
