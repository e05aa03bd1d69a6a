namespace Forge.Models;

/// <summary>Depth, width and channel cap of a YOLOv8 scale (n/s/m/l/x), as published by Ultralytics.</summary>
public sealed record ModelScale(char Letter, double Depth, double Width, int MaxChannels)
{
    public static readonly ModelScale N = new('n', 0.33, 0.25, 1024);
    public static readonly ModelScale S = new('s', 0.33, 0.50, 1024);
    public static readonly ModelScale M = new('m', 0.67, 0.75, 768);
    public static readonly ModelScale L = new('l', 1.00, 1.00, 512);
    public static readonly ModelScale X = new('x', 1.00, 1.25, 512);

    public static ModelScale FromLetter(char c) => char.ToLowerInvariant(c) switch
    {
        'n' => N, 's' => S, 'm' => M, 'l' => L, 'x' => X,
        _ => throw new ArgumentException($"unknown model scale '{c}': use one of n, s, m, l, x"),
    };

    /// <summary>Parses names like "yolov8n", "yolov8s.yaml", "n".</summary>
    public static bool TryParseName(string name, out ModelScale scale)
    {
        var stem = Path.GetFileNameWithoutExtension(name.Trim()).ToLowerInvariant();
        if (stem.StartsWith("yolov8", StringComparison.Ordinal)) stem = stem["yolov8".Length..];
        if (stem.Length == 1 && "nsmlx".Contains(stem[0])) { scale = FromLetter(stem[0]); return true; }
        scale = N;
        return false;
    }

    /// <summary>Channels of a layer whose base width is <paramref name="baseChannels"/>: capped, scaled and rounded up to a multiple of 8.</summary>
    public int Channels(int baseChannels)
    {
        double c = Math.Min(baseChannels, MaxChannels) * Width;
        return (int)(Math.Ceiling(c / 8) * 8);
    }

    /// <summary>Repeats of a block whose base count is <paramref name="n"/> (Python's round-half-even, as the reference does).</summary>
    public int Repeats(int n) => n > 1 ? Math.Max((int)Math.Round(n * Depth, MidpointRounding.ToEven), 1) : n;

    public string Name => $"yolov8{Letter}";
}
