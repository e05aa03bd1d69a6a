using OpenCvSharp;

namespace Forge.Data.Imaging;

/// <summary>Ultralytics' 20-colour class palette (ultralytics/utils/plotting.py Colors), as BGR scalars for OpenCV drawing.</summary>
public static class ClassColors
{
    static readonly uint[] Hex =
    [
        0x042AFF, 0x0BDBEB, 0xF3F3F3, 0x00DFB7, 0x111F68, 0xFF6FDD, 0xFF444F, 0xCCED00, 0x00F344, 0xBD00FF,
        0x00B4FF, 0xDD00BA, 0x00FFFF, 0x26C000, 0x01FFB3, 0x7D24FF, 0x7B0068, 0xFF1B6C, 0xFC6D2F, 0xA2FF0B,
    ];

    public static int Count => Hex.Length;

    /// <summary>The (B, G, R) colour of class <paramref name="classId"/>; ids wrap around, negative ids are allowed.</summary>
    public static Scalar Bgr(int classId)
    {
        uint rgb = Hex[((classId % Hex.Length) + Hex.Length) % Hex.Length];
        return new Scalar(rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF);
    }

    // Annotator.get_txt_color: label text on these backgrounds (B, G, R) is dark blue or white; on others white.
    static readonly (int B, int G, int R)[] DarkBackgrounds =
        [(235, 219, 11), (243, 243, 243), (183, 223, 0), (221, 111, 255), (0, 237, 204), (68, 243, 0), (255, 255, 0), (179, 255, 1), (11, 255, 162)];

    /// <summary>The label text colour Ultralytics' Annotator uses on a box of colour <paramref name="bgr"/>: (104, 31, 17) on the light palette entries, white otherwise.</summary>
    public static Scalar TextOn(Scalar bgr)
    {
        foreach (var (b, g, r) in DarkBackgrounds)
            if (bgr.Val0 == b && bgr.Val1 == g && bgr.Val2 == r) return new Scalar(104, 31, 17);
        return new Scalar(255, 255, 255);
    }
}
