namespace Forge.Core.Detection;

/// <summary>
/// Packs a float score and a tie-break index into one ulong whose ascending order is "score descending, then index ascending".
/// Sorting plain ulongs is a stable descending score sort (like numpy's mergesort on -score) without a comparer or extra arrays.
/// </summary>
internal static class ScoreOrder
{
    public static ulong DescendingKey(float score, uint tieBreak) =>
        ((ulong)~ToSortableBits(score) << 32) | tieBreak;

    public static uint TieBreak(ulong key) => (uint)key;

    public static float Score(ulong key) => FromSortableBits(~(uint)(key >> 32));

    /// <summary>Maps float bits to a uint whose unsigned order equals the float order (-0 is folded onto +0 so they tie).</summary>
    private static uint ToSortableBits(float value)
    {
        if (value == 0f) value = 0f;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    private static float FromSortableBits(uint sortable)
    {
        uint bits = (sortable & 0x8000_0000u) != 0 ? sortable & 0x7FFF_FFFFu : ~sortable;
        return BitConverter.UInt32BitsToSingle(bits);
    }
}
