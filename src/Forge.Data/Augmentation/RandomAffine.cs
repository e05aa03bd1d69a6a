using Forge.Core.Randomness;
using Forge.Core.Geometry;
using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics RandomPerspective (ultralytics/data/augment.py): M = T · S · R · P · C in float32, where C moves the image
/// centre to the origin, P adds ±Perspective, R rotates by ±Degrees and scales by [1 - Scale, 1 + Scale]
/// (cv2.getRotationMatrix2D), S shears by ±Shear degrees and T moves the centre to [0.5 ± Translate] of the output. The
/// output is (w + 2 border) x (h + 2 border) (a mosaic uses border -s/2 to come back to s x s), warped with
/// cv2.warpAffine (cv2.warpPerspective when Perspective is non-zero), bilinear, border grey 114. Boxes: four corners
/// transformed, enclosing box clipped, kept when they pass <see cref="IsCandidate"/>.
/// </summary>
public static class RandomAffine
{
    /// <summary>A new warped image with its boxes (the input stays the caller's).</summary>
    public static LabeledImage Apply(LabeledImage input, AugmentOptions options, DeterministicRandom rng, int border = 0)
    {
        int outW = input.Image.Width + 2 * border, outH = input.Image.Height + 2 * border;
        if (outW <= 0 || outH <= 0) throw new ArgumentException($"border {border} leaves no output for a {input.Image.Width}x{input.Image.Height} image", nameof(border));
        var draws = AffineDraws.Draw(options, rng);
        var m = BuildMatrix(input.Image.Width, input.Image.Height, outW, outH, draws);
        return Apply(input, m, outW, outH, (float)draws.Scale, perspective: options.Perspective != 0, border != 0);
    }

    /// <summary>
    /// Warps with a given 3x3 matrix (row-major) to outW x outH and moves, clips and filters the boxes;
    /// <paramref name="scale"/> is the drawn scale the box filter compares against. The image is copied unchanged when the
    /// matrix is the identity and the size stays (<paramref name="resized"/> false), as Ultralytics skips the warp then.
    /// </summary>
    public static LabeledImage Apply(LabeledImage input, float[] m, int outW, int outH, float scale, bool perspective, bool resized = true)
    {
        Mat image;
        if (!resized && IsIdentity(m)) image = input.Image.Clone();
        else
        {
            image = new Mat();
            using var cvM = MatrixOf(m, perspective ? 3 : 2);
            if (perspective)
                Cv2.WarpPerspective(input.Image, image, cvM, new Size(outW, outH), InterpolationFlags.Linear, BorderTypes.Constant, Letterbox.PadColor);
            else
                Cv2.WarpAffine(input.Image, image, cvM, new Size(outW, outH), InterpolationFlags.Linear, BorderTypes.Constant, Letterbox.PadColor);
        }

        var boxes = new List<BoxF>(input.Count);
        var classes = new List<int>(input.Count);
        for (int i = 0; i < input.Count; i++)
        {
            var before = input.Boxes[i];
            var after = TransformBox(m, before, perspective).Clip(outW, outH);
            if (IsCandidate(before.Width * scale, before.Height * scale, after))
            {
                boxes.Add(after);
                classes.Add(input.Classes[i]);
            }
        }
        return new LabeledImage(image, boxes.ToArray(), classes.ToArray());
    }

    /// <summary>
    /// The 3x3 source-to-output matrix, row-major, composed in float32 like numpy's: M = T · S · R · P · C, with C moving
    /// the srcW x srcH image's centre to the origin and T putting it at the drawn fraction of the outW x outH output.
    /// </summary>
    public static float[] BuildMatrix(int srcW, int srcH, int outW, int outH, AffineDraws d)
    {
        float[] c = Identity(), p = Identity(), r = Identity(), s = Identity(), t = Identity();
        c[2] = -srcW / 2f;
        c[5] = -srcH / 2f;
        p[6] = (float)d.PerspectiveX;
        p[7] = (float)d.PerspectiveY;
        // cv2.getRotationMatrix2D(center=(0, 0), angle, scale): positive angles turn counter-clockwise on screen.
        double rad = d.Degrees * Math.PI / 180;
        double alpha = Math.Cos(rad) * d.Scale, beta = Math.Sin(rad) * d.Scale;
        r[0] = (float)alpha; r[1] = (float)beta; r[3] = (float)-beta; r[4] = (float)alpha;
        s[1] = (float)Math.Tan(d.ShearX * Math.PI / 180);
        s[3] = (float)Math.Tan(d.ShearY * Math.PI / 180);
        t[2] = (float)(d.TranslateX * outW);
        t[5] = (float)(d.TranslateY * outH);
        return Multiply(Multiply(Multiply(Multiply(t, s), r), p), c);   // numpy evaluates T @ S @ R @ P @ C left to right
    }

    static float[] Identity() => [1, 0, 0, 0, 1, 0, 0, 0, 1];

    static float[] Multiply(float[] a, float[] b)
    {
        var m = new float[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                m[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        return m;
    }

    static bool IsIdentity(float[] m) =>
        m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 0 && m[6] == 0 && m[7] == 0 && m[8] == 1;

    static Mat MatrixOf(float[] m, int rows)
    {
        var mat = new Mat(rows, 3, MatType.CV_64FC1);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < 3; j++) mat.Set(i, j, (double)m[3 * i + j]);
        return mat;
    }

    /// <summary>The axis-aligned box enclosing the four transformed corners (divided by w for a perspective matrix).</summary>
    public static BoxF TransformBox(float[] m, BoxF b, bool perspective = false)
    {
        Span<float> xs = stackalloc float[4], ys = stackalloc float[4];
        Corner(m, b.X1, b.Y1, perspective, out xs[0], out ys[0]);
        Corner(m, b.X2, b.Y2, perspective, out xs[1], out ys[1]);
        Corner(m, b.X1, b.Y2, perspective, out xs[2], out ys[2]);
        Corner(m, b.X2, b.Y1, perspective, out xs[3], out ys[3]);
        return new BoxF(Min(xs), Min(ys), Max(xs), Max(ys));
    }

    static void Corner(float[] m, float x, float y, bool perspective, out float ox, out float oy)
    {
        ox = x * m[0] + y * m[1] + m[2];
        oy = x * m[3] + y * m[4] + m[5];
        if (!perspective) return;
        float w = x * m[6] + y * m[7] + m[8];
        ox /= w;
        oy /= w;
    }

    static float Min(Span<float> v) => Math.Min(Math.Min(v[0], v[1]), Math.Min(v[2], v[3]));
    static float Max(Span<float> v) => Math.Max(Math.Max(v[0], v[1]), Math.Max(v[2], v[3]));

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
