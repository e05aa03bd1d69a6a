namespace Forge.Synthetic;

/// <summary>
/// Polygon outlines of the shape classes in a unit frame (about [-0.5, 0.5]), then scaled, stretched, rotated and placed.
/// Nominal sizes are only a starting point: labels use the rasterised pixels.
/// </summary>
internal static class ShapeOutlines
{
    public static (float X, float Y)[] Unit(ShapeKind kind, float pixelSize) => kind switch
    {
        ShapeKind.Circle => RegularPolygon(Math.Clamp((int)MathF.Ceiling(MathF.PI * pixelSize / 2f), 24, 160), 0.5f, 0f),
        ShapeKind.Square => RegularPolygon(4, 0.42f * MathF.Sqrt(2f), MathF.PI / 4),
        ShapeKind.Triangle => Centered(RegularPolygon(3, 0.58f, -MathF.PI / 2)),
        ShapeKind.Star => Star(5, 0.58f, 0.25f),
        ShapeKind.Cross => Cross(0.5f, 0.17f),
        ShapeKind.Crescent => Centered(Crescent(pixelSize)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shape kind"),
    };

    /// <summary>Scales the unit outline to <paramref name="size"/> pixels, stretches x by <paramref name="aspect"/> (y by its inverse), rotates, then moves to (cx, cy).</summary>
    public static void Place(Span<(float X, float Y)> points, float size, float aspect, float rotation, float cx, float cy)
    {
        float cos = MathF.Cos(rotation), sin = MathF.Sin(rotation);
        float sx = size * aspect, sy = size / aspect;
        for (int i = 0; i < points.Length; i++)
        {
            float x = points[i].X * sx, y = points[i].Y * sy;
            points[i] = (cx + x * cos - y * sin, cy + x * sin + y * cos);
        }
    }

    static (float, float)[] RegularPolygon(int sides, float radius, float startAngle)
    {
        var points = new (float, float)[sides];
        for (int i = 0; i < sides; i++)
        {
            float a = startAngle + 2 * MathF.PI * i / sides;
            points[i] = (radius * MathF.Cos(a), radius * MathF.Sin(a));
        }
        return points;
    }

    static (float, float)[] Star(int tips, float outer, float inner)
    {
        var points = new (float, float)[tips * 2];
        for (int i = 0; i < points.Length; i++)
        {
            float a = -MathF.PI / 2 + MathF.PI * i / tips;
            float r = (i & 1) == 0 ? outer : inner;
            points[i] = (r * MathF.Cos(a), r * MathF.Sin(a));
        }
        return Centered(points);
    }

    static (float, float)[] Cross(float arm, float half) =>
    [
        (-half, -arm), (half, -arm), (half, -half), (arm, -half), (arm, half), (half, half),
        (half, arm), (-half, arm), (-half, half), (-arm, half), (-arm, -half), (-half, -half),
    ];

    /// <summary>A disc of radius 0.5 with a disc of radius 0.42 cut out 0.26 to the right: a thick moon opening to the right.</summary>
    static (float, float)[] Crescent(float pixelSize)
    {
        const float R = 0.5f, r = 0.42f, d = 0.26f;
        // Where the two circles cross: x from subtracting the circle equations, y from the outer circle.
        float ix = (d * d + R * R - r * r) / (2 * d), iy = MathF.Sqrt(R * R - ix * ix);
        float outerStart = MathF.Atan2(iy, ix);          // outer arc runs from here, through the far left, to -outerStart
        float innerHalf = MathF.Atan2(iy, ix - d);       // inner arc, seen from the cut circle's centre
        int n = Math.Clamp((int)MathF.Ceiling(MathF.PI * pixelSize / 3f), 16, 96);
        var points = new (float, float)[2 * n];
        for (int i = 0; i < n; i++)
        {
            float a = outerStart + (2 * MathF.PI - 2 * outerStart) * i / (n - 1);
            points[i] = (R * MathF.Cos(a), R * MathF.Sin(a));
        }
        for (int i = 0; i < n; i++)
        {
            // From the lower intersection back to the upper one through the cut circle's leftmost point.
            float a = -innerHalf - (2 * MathF.PI - 2 * innerHalf) * i / (n - 1);
            points[n + i] = (d + r * MathF.Cos(a), r * MathF.Sin(a));
        }
        return points;
    }

    /// <summary>Moves the outline so its bounding box is centred on the origin, so placement and rotation act around the visual centre.</summary>
    static (float, float)[] Centered((float X, float Y)[] points)
    {
        float minX = float.MaxValue, maxX = float.MinValue, minY = float.MaxValue, maxY = float.MinValue;
        foreach (var (x, y) in points) { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
        float cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        for (int i = 0; i < points.Length; i++) points[i] = (points[i].X - cx, points[i].Y - cy);
        return points;
    }
}
