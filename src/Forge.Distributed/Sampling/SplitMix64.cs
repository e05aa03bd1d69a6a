namespace Forge.Distributed;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood): a tiny, fast generator whose sequence is fixed by its seed on every platform and .NET
/// version, which System.Random does not promise. Shuffles must match across ranks and runs.
/// </summary>
internal struct SplitMix64
{
    ulong state;

    public SplitMix64(ulong seed) => state = seed;

    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's multiply-and-reject).</summary>
    public uint NextBelow(uint bound)
    {
        ulong m = (ulong)(uint)Next() * bound;
        uint low = (uint)m;
        if (low < bound)
        {
            uint threshold = unchecked(0u - bound) % bound;   // 2^32 mod bound
            while (low < threshold)
            {
                m = (ulong)(uint)Next() * bound;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }
}
