namespace Forge.Data.Imaging;

/// <summary>In-place mirror operations on an image.</summary>
public static class Flip
{
    /// <summary>Mirrors left-right (columns reversed).</summary>
    public static void Horizontal(RgbImage image)
    {
        int w = image.Width, stride = w * 3;
        var px = image.Pixels;
        for (int y = 0; y < image.Height; y++)
        {
            int left = y * stride, right = left + stride - 3;
            while (left < right)
            {
                (px[left], px[right]) = (px[right], px[left]);
                (px[left + 1], px[right + 1]) = (px[right + 1], px[left + 1]);
                (px[left + 2], px[right + 2]) = (px[right + 2], px[left + 2]);
                left += 3;
                right -= 3;
            }
        }
    }

    /// <summary>Mirrors top-bottom (rows reversed).</summary>
    public static void Vertical(RgbImage image)
    {
        int stride = image.Width * 3;
        var span = image.Pixels.AsSpan();
        Span<byte> tmp = stride <= 16384 ? stackalloc byte[stride] : new byte[stride];
        for (int top = 0, bottom = image.Height - 1; top < bottom; top++, bottom--)
        {
            var a = span.Slice(top * stride, stride);
            var b = span.Slice(bottom * stride, stride);
            a.CopyTo(tmp);
            b.CopyTo(a);
            tmp.CopyTo(b);
        }
    }
}
