using Forge.Core.Geometry;
using Forge.Core.Randomness;
using Forge.Data.Imaging;
using Forge.Data.Loading;

namespace Forge.Data.Augmentation;

/// <summary>
/// Ultralytics' 2x2 mosaic: a 2s x 2s grey canvas, a random centre in [s/2, 3s/2), and four images (each with long
/// side s) placed top-left, top-right, bottom-left, bottom-right of that centre, cropped by the canvas edge.
/// Boxes move with their image and are clipped to the canvas; boxes left with no area are dropped.
/// Follow with <see cref="RandomAffine"/> using border -s/2 to get an s x s sample.
/// </summary>
public static class Mosaic4
{
    /// <param name="canvas">Optional 2s x 2s image to draw into (reused across samples to spare 4·s² bytes per sample); a new one when null.</param>
    public static LabeledImage Apply(IReadOnlyList<LabeledImage> tiles, int size, DeterministicRandom rng, RgbImage? canvas = null)
    {
        if (tiles.Count != 4) throw new ArgumentException($"a 2x2 mosaic needs 4 images, got {tiles.Count}", nameof(tiles));
        int s = size, s2 = 2 * s;
        int half = s / 2;
        int yc = (int)rng.Uniform(half, s2 - half);
        int xc = (int)rng.Uniform(half, s2 - half);
        if (canvas is null) canvas = RgbImage.Filled(s2, s2, Letterbox.PadValue);
        else if (canvas.Width != s2 || canvas.Height != s2)
            throw new ArgumentException($"mosaic canvas must be {s2}x{s2}, got {canvas.Width}x{canvas.Height}", nameof(canvas));
        else Array.Fill(canvas.Pixels, Letterbox.PadValue);

        int total = 0;
        for (int i = 0; i < 4; i++) total += tiles[i].Count;
        var boxes = new List<BoxF>(total);
        var classes = new List<int>(total);

        for (int i = 0; i < 4; i++)
        {
            var tile = tiles[i];
            int w = tile.Image.Width, h = tile.Image.Height;
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
            Paste.Region(tile.Image, x1b, y1b, canvas, x1a, y1a, x2a - x1a, y2a - y1a);
            float padW = x1a - x1b, padH = y1a - y1b;
            for (int k = 0; k < tile.Count; k++)
            {
                var b = tile.Boxes[k].Offset(padW, padH).Clip(s2, s2);
                if (b.Width > 0 && b.Height > 0)
                {
                    boxes.Add(b);
                    classes.Add(tile.Classes[k]);
                }
            }
        }
        return new LabeledImage(canvas, boxes.ToArray(), classes.ToArray());
    }
}
