namespace Forge.Data.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast generator whose output depends only on the seed,
/// unlike System.Random whose algorithm may change between runtimes. Used so synthetic data is identical everywhere.
/// </summary>
public struct DeterministicRandom
{
    ulong s0, s1, s2, s3;

    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64(ref x); s1 = SplitMix64(ref x); s2 = SplitMix64(ref x); s3 = SplitMix64(ref x);
    }

    /// <summary>An independent stream for item <paramref name="stream"/> of a run seeded with <paramref name="seed"/> (e.g. one per image).</summary>
    public static DeterministicRandom ForStream(ulong seed, ulong stream)
    {
        ulong x = seed;
        ulong mixedSeed = SplitMix64(ref x);
        ulong y = mixedSeed ^ (stream * 0xD1B54A32D192ED03UL);
        return new DeterministicRandom(SplitMix64(ref y));
    }

    static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    public float Uniform(float min, float max) => (float)(min + (max - min) * NextDouble());

    /// <summary>Uniform integer in [0, <paramref name="count"/>); multiply-shift mapping, bias below 2^-32.</summary>
    public int NextInt(int count) => count <= 0 ? 0 : (int)(((NextULong() >> 32) * (ulong)count) >> 32);

    /// <summary>Uniform integer in [min, max] inclusive.</summary>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    public bool Chance(double probability) => NextDouble() < probability;
}
