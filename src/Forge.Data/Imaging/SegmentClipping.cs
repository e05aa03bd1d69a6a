namespace Forge.Data.Imaging;

/// <summary>Liang-Barsky clipping of a line segment to an axis-aligned rectangle, used before rasterising so huge coordinates stay cheap and exact.</summary>
internal static class SegmentClipping
{
    /// <summary>Shrinks the segment to the part inside [xMin, xMax] x [yMin, yMax]; false when nothing is inside.</summary>
    public static bool Clip(ref double x0, ref double y0, ref double x1, ref double y1, double xMin, double yMin, double xMax, double yMax)
    {
        double dx = x1 - x0, dy = y1 - y0, t0 = 0, t1 = 1;
        if (!Edge(-dx, x0 - xMin, ref t0, ref t1) || !Edge(dx, xMax - x0, ref t0, ref t1) ||
            !Edge(-dy, y0 - yMin, ref t0, ref t1) || !Edge(dy, yMax - y0, ref t0, ref t1))
            return false;
        double sx = x0, sy = y0;
        if (t1 < 1) { x1 = sx + t1 * dx; y1 = sy + t1 * dy; }
        if (t0 > 0) { x0 = sx + t0 * dx; y0 = sy + t0 * dy; }
        return true;
    }

    static bool Edge(double p, double q, ref double t0, ref double t1)
    {
        if (p == 0) return q >= 0; // parallel to this edge: inside or entirely outside
        double r = q / p;
        if (p < 0)
        {
            if (r > t1) return false;
            if (r > t0) t0 = r;
        }
        else
        {
            if (r < t0) return false;
            if (r < t1) t1 = r;
        }
        return true;
    }
}
