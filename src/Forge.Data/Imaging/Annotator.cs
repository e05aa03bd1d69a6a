using Forge.Core.Geometry;
using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>
/// Draws boxes and labels on a BGR image the way Ultralytics' Annotator does with OpenCV (pil=False): line width
/// max(round((h + w + 3) / 2 · 0.003), 2) unless given, cv2.rectangle with LINE_AA, and a filled tag holding the label
/// in cv2.FONT_HERSHEY_SIMPLEX (scale lw/3, thickness max(lw - 1, 1)) above the box, or inside it when there is no room.
/// </summary>
public sealed class Annotator
{
    public Mat Image { get; }
    /// <summary>Box line thickness in pixels.</summary>
    public int LineWidth { get; }
    int FontThickness => Math.Max(LineWidth - 1, 1);
    double FontScale => LineWidth / 3.0;

    /// <param name="image">An 8-bit BGR image, drawn on in place.</param>
    /// <param name="lineWidth">Pixels; 0 picks Ultralytics' default from the image size.</param>
    public Annotator(Mat image, int lineWidth = 0)
    {
        if (image.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR image, got {image.Type()}", nameof(image));
        Image = image;
        // numpy's sum(im.shape) counts the 3 channels too; Python's round() rounds halves to even, like Math.Round.
        LineWidth = lineWidth > 0 ? lineWidth : Math.Max((int)Math.Round((image.Height + image.Width + 3) / 2.0 * 0.003), 2);
    }

    /// <summary>A box (pixels, corners; truncated to integers as Ultralytics does) with an optional label tag.</summary>
    public void BoxLabel(BoxF box, string? label, Scalar color)
    {
        var p1 = new Point((int)box.X1, (int)box.Y1);
        var p2 = new Point((int)box.X2, (int)box.Y2);
        Cv2.Rectangle(Image, p1, p2, color, LineWidth, LineTypes.AntiAlias);
        if (string.IsNullOrEmpty(label)) return;
        var size = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, FontScale, FontThickness, out _);
        int w = size.Width, h = size.Height + 3;
        bool outside = p1.Y >= h;
        if (p1.X > Image.Width - w) p1 = new Point(Image.Width - w, p1.Y);
        var tagEnd = new Point(p1.X + w, outside ? p1.Y - h : p1.Y + h);
        Cv2.Rectangle(Image, p1, tagEnd, color, -1, LineTypes.AntiAlias);
        Cv2.PutText(Image, label, new Point(p1.X, outside ? p1.Y - 2 : p1.Y + h - 1), HersheyFonts.HersheySimplex, FontScale,
            ClassColors.TextOn(color), FontThickness, LineTypes.AntiAlias);
    }
}
