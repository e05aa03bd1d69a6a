namespace Forge.Data.Imaging;

/// <summary>Copying rectangular regions between images (used to tile mosaics and to pad letterboxes).</summary>
public static class Paste
{
    /// <summary>
    /// Copies the src rectangle (srcX, srcY, width, height) to dst at (dstX, dstY). The rectangle must lie inside both images.
    /// </summary>
    public static void Region(RgbImage src, int srcX, int srcY, RgbImage dst, int dstX, int dstY, int width, int height)
    {
        if (width <= 0 || height <= 0) return;
        if (srcX < 0 || srcY < 0 || srcX + width > src.Width || srcY + height > src.Height
            || dstX < 0 || dstY < 0 || dstX + width > dst.Width || dstY + height > dst.Height)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"region {width}x{height} from ({srcX},{srcY}) in {src.Width}x{src.Height} to ({dstX},{dstY}) in {dst.Width}x{dst.Height} does not fit");
        int rowBytes = width * 3;
        for (int y = 0; y < height; y++)
            Buffer.BlockCopy(src.Pixels, src.Offset(srcX, srcY + y), dst.Pixels, dst.Offset(dstX, dstY + y), rowBytes);
    }
}
