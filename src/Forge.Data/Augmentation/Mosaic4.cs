using Forge.Core.Randomness;
using Forge.Core.Geometry;
using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics' 2x2 mosaic (Mosaic._mosaic4): a 2s x 2s canvas of grey 114, a centre (yc, xc) drawn in [s/2, 3s/2), and
/// four images (each with long side s) placed top-left, top-right, bottom-left, bottom-right of that centre, cropped by
/// the canvas edge. Boxes move with their image and are clipped to the canvas; boxes left with no area are dropped.
/// Follow with <see cref="RandomAffine"/> using border -s/2 to get an s x s sample.
/// </summary>
public static class Mosaic4
{
    /// <param name="canvas">Optional 2s x 2s BGR image to draw into (reused across samples to spare 12·s² bytes per sample);
    /// a new one when null. The result's image is the canvas itself: it belongs to whoever passed it.</param>
    public static LabeledImage Apply(IReadOnlyList<LabeledImage> tiles, int size, DeterministicRandom rng, Mat? canvas = null)
    {
        int half = size / 2;
        int yc = (int)rng.Uniform(half, 2 * size - half);
        int xc = (int)rng.Uniform(half, 2 * size - half);
        return Apply(tiles, size, xc, yc, canvas);
    }

    /// <summary>The mosaic around a given centre (<paramref name="xc"/>, <paramref name="yc"/>) in canvas pixels.</summary>
    public static LabeledImage Apply(IReadOnlyList<LabeledImage> tiles, int size, int xc, int yc, Mat? canvas = null)
    {
        if (tiles.Count != 4) throw new ArgumentException($"a 2x2 mosaic needs 4 images, got {tiles.Count}", nameof(tiles));
        int s2 = 2 * size;
        bool ownsCanvas = canvas is null;
        if (canvas is null) canvas = new Mat(s2, s2, MatType.CV_8UC3, Letterbox.PadColor);
        else if (canvas.Width != s2 || canvas.Height != s2 || canvas.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"mosaic canvas must be {s2}x{s2} BGR, got {canvas.Width}x{canvas.Height} {canvas.Type()}", nameof(canvas));
        else canvas.SetTo(Letterbox.PadColor);

        int total = 0;
        for (int i = 0; i < 4; i++) total += tiles[i].Count;
        var boxes = new List<BoxF>(total);
        var classes = new List<int>(total);
        for (int i = 0; i < 4; i++)
        {
            var tile = tiles[i];
            var (a, b) = Placement(i, xc, yc, tile.Image.Width, tile.Image.Height, s2);
            if (a.Width > 0 && a.Height > 0)
            {
                using var from = new Mat(tile.Image, b);
                using var to = new Mat(canvas, a);
                from.CopyTo(to);
            }
            float padW = a.X - b.X, padH = a.Y - b.Y;
            for (int k = 0; k < tile.Count; k++)
            {
                var box = tile.Boxes[k].Offset(padW, padH).Clip(s2, s2);
                if (box.Width > 0 && box.Height > 0)
                {
                    boxes.Add(box);
                    classes.Add(tile.Classes[k]);
                }
            }
        }
        return new LabeledImage(canvas, boxes.ToArray(), classes.ToArray(), ownsImage: ownsCanvas);
    }

    /// <summary>Where tile <paramref name="i"/> (w x h) lands on the canvas (a) and which part of it is copied (b), as in _mosaic4.</summary>
    static (Rect Canvas, Rect Tile) Placement(int i, int xc, int yc, int w, int h, int s2)
    {
        int x1a, y1a, x2a, y2a, x1b, y1b;
        switch (i)
        {
            case 0: // top left: the tile's bottom-right corner sits on the centre
                x1a = Math.Max(xc - w, 0); y1a = Math.Max(yc - h, 0); x2a = xc; y2a = yc;
                x1b = w - (x2a - x1a); y1b = h - (y2a - y1a);
                break;
            case 1: // top right
                x1a = xc; y1a = Math.Max(yc - h, 0); x2a = Math.Min(xc + w, s2); y2a = yc;
                x1b = 0; y1b = h - (y2a - y1a);
                break;
            case 2: // bottom left
                x1a = Math.Max(xc - w, 0); y1a = yc; x2a = xc; y2a = Math.Min(s2, yc + h);
                x1b = w - (x2a - x1a); y1b = 0;
                break;
            default: // bottom right
                x1a = xc; y1a = yc; x2a = Math.Min(xc + w, s2); y2a = Math.Min(s2, yc + h);
                x1b = 0; y1b = 0;
                break;
        }
        return (new Rect(x1a, y1a, x2a - x1a, y2a - y1a), new Rect(x1b, y1b, x2a - x1a, y2a - y1a));
    }
}
