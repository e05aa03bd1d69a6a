namespace Forge.Data.Imaging;

/// <summary>
/// Walks a JPEG's marker segments (ITU T.81, annex B) to tell a truncated file from a complete one followed by extra
/// bytes. libjpeg decodes a cut-off scan silently as grey rows; extra bytes after the end-of-image marker (camera
/// vendor data, MPO's second picture, padding) are harmless and are decoded like any JPEG.
/// </summary>
public static class JpegStructure
{
    /// <summary>
    /// True when <paramref name="bytes"/> start like a JPEG (FF D8) and its data ends inside a scan, before the end-of-image
    /// marker (FF D9). Files that are not JPEGs, or whose header is too damaged to walk, return false (the decoder judges them).
    /// </summary>
    public static bool IsTruncated(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return false;
        int pos = 2;
        bool inScan = false;
        while (true)
        {
            if (inScan)
            {
                // Entropy-coded data: FF 00 is a stuffed byte and FF D0..D7 a restart marker; any other FF xx ends the scan.
                while (true)
                {
                    int ff = bytes[pos..].IndexOf((byte)0xFF);
                    if (ff < 0 || pos + ff + 1 >= bytes.Length) return true;
                    pos += ff;
                    byte next = bytes[pos + 1];
                    if (next == 0x00 || next is >= 0xD0 and <= 0xD7 || next == 0xFF) { pos += next == 0xFF ? 1 : 2; continue; }
                    break;
                }
                inScan = false;
            }
            // At a marker: skip fill bytes (FF FF ...).
            if (pos + 1 >= bytes.Length) return true;
            if (bytes[pos] != 0xFF) return false;
            while (pos + 1 < bytes.Length && bytes[pos + 1] == 0xFF) pos++;
            if (pos + 1 >= bytes.Length) return true;
            byte marker = bytes[pos + 1];
            if (marker == 0xD9) return false;                       // end of image: complete
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) { pos += 2; continue; } // markers without a length
            if (pos + 3 >= bytes.Length) return true;
            int length = (bytes[pos + 2] << 8) | bytes[pos + 3];
            if (length < 2) return false;
            pos += 2 + length;
            if (pos > bytes.Length) return true;
            if (marker == 0xDA) inScan = true;                      // start of scan: entropy-coded data follows
        }
    }
}
