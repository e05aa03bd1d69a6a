using Forge.Core.Geometry;

namespace Forge.Data.Imaging;

public static partial class Drawing
{
    /// <summary>
    /// An annotated detection: the box outline plus a filled tag with the label in a contrasting colour, sitting on top of the box
    /// (or just inside it when the box touches the top edge) and shifted to stay inside the image.
    /// <paramref name="thickness"/> and <paramref name="textScale"/> of 0 pick sizes from the image size.
    /// </summary>
    public static void BoxLabel(RgbImage image, BoxF box, string label, Rgb color, int thickness = 0, int textScale = 0)
    {
        int sizeSum = image.Width + image.Height;
        if (thickness <= 0) thickness = Math.Max(1, (int)MathF.Round(sizeSum * 0.002f));
        if (textScale <= 0) textScale = Math.Max(1, sizeSum / 1100);
        Rectangle(image, box, color, thickness);
        if (string.IsNullOrEmpty(label) || !TryPixelRect(image, box, thickness, out int x1, out int y1, out _, out _)) return;

        var (textW, textH) = MeasureText(label, textScale);
        int pad = textScale + 1;
        int tagW = textW + 2 * pad, tagH = textH + 2 * pad;
        int tagX = x1, tagY = y1 - tagH;
        if (tagY < 0) tagY = y1;
        tagX = Math.Max(0, Math.Min(tagX, image.Width - tagW));
        tagY = Math.Max(0, Math.Min(tagY, image.Height - tagH));
        FillRectangle(image, tagX, tagY, tagW, tagH, color);
        Text(image, tagX + pad, tagY + pad, label, Palette.ContrastingText(color), textScale);
    }
}
