using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Synthetic;

/// <summary>
/// Paints one synthetic detection image with OpenCV: a colour gradient, optional clutter (thin antialiased curves,
/// small irregular blobs that are no class), 0..N antialiased filled shapes (cv2.fillPoly) with enforced contrast and
/// limited occlusion, optional pixel noise; and returns tight labels. Output depends only on the random stream, so a
/// seed reproduces the image byte for byte.
/// </summary>
public static class ShapesSceneGenerator
{
    const int PlacementTries = 40, ColorTries = 40;
    /// <summary>Minimum RGB distance between an object's colour and what lies under or next to it; kept well above the shading swing.</summary>
    const float MinContrast = 100f;
    const float MaxShading = 20f;
    static readonly int KindCount = Enum.GetValues<ShapeKind>().Length;

    /// <summary>A scene from a seed, for previews and tests; the dataset uses one stream per image.</summary>
    public static ShapesScene Generate(ulong seed, ShapesDatasetOptions? options = null)
    {
        var rng = new DeterministicRandom(seed);
        return Generate(ref rng, options ?? new ShapesDatasetOptions());
    }

    internal static ShapesScene Generate(ref DeterministicRandom rng, ShapesDatasetOptions options)
    {
        var (width, height) = PickSize(ref rng, options);
        var image = Gradient(width, height, ref rng);
        if (options.Clutter)
        {
            PaintCurves(image, ref rng, rng.NextInt(0, 4));
            PaintBlobs(image, ref rng, rng.NextInt(0, 4));
        }
        var background = image.Clone();

        int count = options.MaxObjects == 0 || rng.Chance(options.EmptyImageFraction) ? 0 : rng.NextInt(Math.Max(1, options.MinObjects), options.MaxObjects);
        using var owner = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0)); // 0 = no object, i + 1 = object i is on top here
        var placed = new List<Placed>();
        for (int i = 0; i < count; i++) TryPlace(image, owner, placed, ref rng, options);

        if (options.Clutter)
        {
            if (rng.Chance(0.25)) PaintCurves(image, ref rng, 1); // an occasional line across objects, as in real photos
            AddNoise(image, ref rng, rng.Uniform(0f, 10f));
        }
        var objects = new ShapeInstance[placed.Count];
        for (int i = 0; i < objects.Length; i++)
        {
            var p = placed[i];
            objects[i] = new ShapeInstance(p.Kind, p.Box, p.Color, p.Total, (float)p.Visible / p.Total);
        }
        return new ShapesScene(image, background, objects);
    }

    sealed class Placed(ShapeKind kind, BoxF box, Rgb color, int total)
    {
        public ShapeKind Kind = kind;
        public BoxF Box = box;
        public Rgb Color = color;
        public int Total = total;
        public int Visible = total;
    }

    static (int Width, int Height) PickSize(ref DeterministicRandom rng, ShapesDatasetOptions options)
    {
        int size = options.ImageSize;
        if (!options.VaryAspect) return (size, size);
        int shorter = Math.Max(16, (int)MathF.Round(size * rng.Uniform(0.6f, 1f)));
        return rng.Chance(0.5) ? (size, shorter) : (shorter, size);
    }

    static void TryPlace(Mat image, Mat owner, List<Placed> placed, ref DeterministicRandom rng, ShapesDatasetOptions options)
    {
        int w = image.Width, h = image.Height, side = Math.Min(w, h);
        Span<int> covered = stackalloc int[placed.Count];
        for (int attempt = 0; attempt < PlacementTries; attempt++)
        {
            var kind = (ShapeKind)rng.NextInt(KindCount);
            float size = side * rng.Uniform((float)options.MinObjectSize, (float)options.MaxObjectSize);
            float aspect = kind == ShapeKind.Circle ? 1f : rng.Uniform(0.85f, 1.15f);
            float rotation = kind == ShapeKind.Circle ? 0f : rng.Uniform(0f, 2 * MathF.PI);
            var outline = ShapeOutlines.Unit(kind, size);
            ShapeOutlines.Place(outline, size, aspect, rotation, 0, 0);
            var (minX, minY, maxX, maxY) = Bounds(outline);
            if (maxX - minX > w - 2 || maxY - minY > h - 2) continue;
            // Keep a one-pixel margin so every object lies wholly inside the image.
            float cx = rng.Uniform(1 - minX, w - 1 - maxX), cy = rng.Uniform(1 - minY, h - 1 - maxY);
            for (int i = 0; i < outline.Length; i++) outline[i] = (outline[i].X + cx, outline[i].Y + cy);

            using var mask = ObjectMask.Rasterize(outline, w, h);
            if (mask.SolidCount < 16) continue;
            covered.Clear();
            mask.CountCovered(owner, covered);
            bool hidesTooMuch = false;
            for (int i = 0; i < placed.Count; i++)
                hidesTooMuch |= placed[i].Visible - covered[i] < options.MinVisibleFraction * placed[i].Total;
            if (hidesTooMuch) continue; // rather than leave a barely visible shape unlabelled, try elsewhere

            var box = mask.TightBox;
            var color = PickColor(image, mask, box, placed, ref rng);
            float shading = rng.Uniform(0f, MaxShading), shadeAngle = rng.Uniform(0f, 2 * MathF.PI);
            mask.Paint(image, owner, (byte)(placed.Count + 1), Bgr(color), shading, shadeAngle, cx, cy, size * 0.5f);
            for (int i = 0; i < placed.Count; i++) placed[i].Visible -= covered[i];
            placed.Add(new Placed(kind, box, color, mask.SolidCount));
            return;
        }
    }

    static Scalar Bgr(Rgb c) => new(c.B, c.G, c.R);

    static (float MinX, float MinY, float MaxX, float MaxY) Bounds(ReadOnlySpan<(float X, float Y)> points)
    {
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var (x, y) in points) { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
        return (minX, minY, maxX, maxY);
    }

    /// <summary>
    /// A random colour far enough from what will surround the shape: the mean colour of each quadrant under it
    /// (gradients and earlier objects differ across the shape) and every earlier object it touches.
    /// </summary>
    static Rgb PickColor(Mat image, ObjectMask mask, BoxF box, List<Placed> placed, ref DeterministicRandom rng)
    {
        Span<Scalar> means = stackalloc Scalar[4];
        int quadrants = mask.QuadrantMeans(image, means);
        Span<Rgb> avoid = stackalloc Rgb[4 + placed.Count];
        int n = 0;
        for (int q = 0; q < quadrants; q++) avoid[n++] = new Rgb((byte)means[q].Val2, (byte)means[q].Val1, (byte)means[q].Val0);
        var near = box with { X1 = box.X1 - 2, Y1 = box.Y1 - 2, X2 = box.X2 + 2, Y2 = box.Y2 + 2 };
        foreach (var p in placed)
            if (BoxF.IoU(near, p.Box) > 0) avoid[n++] = p.Color;
        avoid = avoid[..n];

        for (int attempt = 0; attempt < ColorTries; attempt++)
        {
            var candidate = rng.Chance(0.1)
                ? Rgb.Gray((byte)rng.NextInt(256))
                : FromHsv(rng.Uniform(0f, 360f), rng.Uniform(0.3f, 1f), rng.Uniform(0.25f, 1f));
            if (MinDistance(candidate, avoid) >= MinContrast) return candidate;
        }
        // Nothing random was distinct enough (e.g. a very busy neighbourhood): fall back to the better of black and white.
        return MinDistance(Rgb.Black, avoid) >= MinDistance(Rgb.White, avoid) ? Rgb.Black : Rgb.White;
    }

    static float MinDistance(Rgb color, ReadOnlySpan<Rgb> others)
    {
        float min = float.MaxValue;
        foreach (var o in others) min = Math.Min(min, Rgb.Distance(color, o));
        return min;
    }

    static Rgb FromHsv(float hue, float saturation, float value)
    {
        float c = value * saturation, hp = hue / 60f, x = c * (1 - MathF.Abs(hp % 2 - 1)), m = value - c;
        var (r, g, b) = hp switch
        {
            < 1 => (c, x, 0f), < 2 => (x, c, 0f), < 3 => (0f, c, x),
            < 4 => (0f, x, c), < 5 => (x, 0f, c), _ => (c, 0f, x),
        };
        return new Rgb(ToByte((r + m) * 255), ToByte((g + m) * 255), ToByte((b + m) * 255));
    }

    static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    static Rgb RandomColor(ref DeterministicRandom rng) => new((byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256));

    /// <summary>
    /// A linear blend between two colours in a random direction (the second often a shade of the first, as in walls and
    /// skies): t = 0.5 + ((x - w/2) dx + (y - h/2) dy) / extent per pixel, each channel a + (b - a) t.
    /// </summary>
    static Mat Gradient(int w, int h, ref DeterministicRandom rng)
    {
        var a = RandomColor(ref rng);
        Rgb b;
        if (rng.Chance(0.5)) b = RandomColor(ref rng);
        else
        {
            int shift = rng.NextInt(-70, 70);
            b = new Rgb(ToByte(a.R + shift), ToByte(a.G + shift), ToByte(a.B + shift));
        }
        float angle = rng.Uniform(0f, 2 * MathF.PI), dx = MathF.Cos(angle), dy = MathF.Sin(angle);
        float extent = MathF.Abs(dx) * w + MathF.Abs(dy) * h;
        using var t = ObjectMask.LinearField(w, h, -w * 0.5f, -h * 0.5f, dx / extent, dy / extent);
        var planes = new Mat[3];
        var image = new Mat();
        try
        {
            var (from, to) = (Bgr(a), Bgr(b));
            for (int c = 0; c < 3; c++)
            {
                planes[c] = new Mat();
                // a + (b - a) (t + 0.5), rounded and saturated by convertTo.
                t.ConvertTo(planes[c], MatType.CV_8UC1, to[c] - from[c], from[c] + (to[c] - from[c]) * 0.5);
            }
            Cv2.Merge(planes, image);
        }
        finally
        {
            foreach (var p in planes) p?.Dispose();
        }
        return image;
    }

    const int SubPixelBits = 4;

    static Point SubPixel(float x, float y) =>
        new((int)MathF.Round((x - 0.5f) * (1 << SubPixelBits)), (int)MathF.Round((y - 0.5f) * (1 << SubPixelBits)));

    /// <summary>Thin quadratic curves across the image (wires, edges, scratches): cv2.polylines, antialiased.</summary>
    static void PaintCurves(Mat image, ref DeterministicRandom rng, int count)
    {
        int w = image.Width, h = image.Height;
        var points = new Point[32];
        for (int c = 0; c < count; c++)
        {
            float x0 = rng.Uniform(-0.1f, 1.1f) * w, y0 = rng.Uniform(-0.1f, 1.1f) * h;
            float x1 = rng.Uniform(-0.1f, 1.1f) * w, y1 = rng.Uniform(-0.1f, 1.1f) * h;
            float x2 = rng.Uniform(-0.1f, 1.1f) * w, y2 = rng.Uniform(-0.1f, 1.1f) * h;
            for (int i = 0; i < points.Length; i++)
            {
                float t = i / (points.Length - 1f), u = 1 - t;
                points[i] = SubPixel(u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2);
            }
            int thickness = rng.Chance(0.7) ? 1 : 2;
            Cv2.Polylines(image, [points], false, Bgr(RandomColor(ref rng)), thickness, LineTypes.AntiAlias, SubPixelBits);
        }
    }

    /// <summary>Small irregular blobs (cv2.fillPoly, antialiased): round-ish but lumpy and smaller than any object, so they read as dirt, not as a class.</summary>
    static void PaintBlobs(Mat image, ref DeterministicRandom rng, int count)
    {
        int side = Math.Min(image.Width, image.Height);
        var points = new Point[18];
        for (int b = 0; b < count; b++)
        {
            float r = side * rng.Uniform(0.012f, 0.03f);
            float cx = rng.Uniform(0f, image.Width), cy = rng.Uniform(0f, image.Height);
            float a2 = rng.Uniform(0.1f, 0.3f), a3 = rng.Uniform(0.05f, 0.25f), p2 = rng.Uniform(0f, 6.3f), p3 = rng.Uniform(0f, 6.3f);
            for (int i = 0; i < points.Length; i++)
            {
                float t = 2 * MathF.PI * i / points.Length;
                float radius = r * (1 + a2 * MathF.Sin(2 * t + p2) + a3 * MathF.Sin(3 * t + p3));
                points[i] = SubPixel(cx + radius * MathF.Cos(t), cy + radius * MathF.Sin(t));
            }
            Cv2.FillPoly(image, [points], Bgr(RandomColor(ref rng)), LineTypes.AntiAlias, SubPixelBits);
        }
    }

    /// <summary>Uniform per-channel noise of ±amplitude, like sensor noise, from an OpenCV RNG seeded by the scene's stream.</summary>
    static void AddNoise(Mat image, ref DeterministicRandom rng, float amplitude)
    {
        if (amplitude < 0.5f) return;
        var cvRng = new RNG(rng.NextUInt64());
        using var noise = new Mat(image.Size(), MatType.CV_32FC3);
        cvRng.Fill(noise, DistributionType.Uniform, Scalar.All(-amplitude), Scalar.All(amplitude));
        using var sum = new Mat();
        image.ConvertTo(sum, MatType.CV_32FC3);
        Cv2.Add(sum, noise, sum);
        sum.ConvertTo(image, MatType.CV_8UC3);
    }
}
