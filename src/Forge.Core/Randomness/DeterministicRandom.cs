namespace Forge.Core.Randomness;

/// <summary>
/// Forge's one deterministic random generator: xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number
/// generators", 2021; the algorithm behind .NET's unseeded <see cref="System.Random"/>) with its state filled by SplitMix64.
/// Its output depends on the seed alone, never on the runtime, the thread or the machine, unlike a seeded
/// <see cref="System.Random"/> whose algorithm may change between .NET versions. It generates the synthetic shapes dataset,
/// shuffles samples and draws every augmentation; streams for (seed, epoch, sample) are independent, so a sample is
/// reproducible whatever the number of loader threads.
/// Not thread-safe: one instance belongs to one consumer (an image being generated, a sample being augmented).
/// </summary>
public sealed class DeterministicRandom
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    ulong s0, s1, s2, s3;

    /// <summary>The generator for <paramref name="seed"/>: xoshiro256** state = four SplitMix64 outputs from the seed.</summary>
    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64(ref x); s1 = SplitMix64(ref x); s2 = SplitMix64(ref x); s3 = SplitMix64(ref x);
    }

    /// <summary>An independent stream for item <paramref name="stream"/> of a job seeded with <paramref name="seed"/> (one per generated image).</summary>
    public static DeterministicRandom ForStream(ulong seed, ulong stream)
    {
        ulong x = seed;
        ulong mixedSeed = SplitMix64(ref x);
        ulong y = mixedSeed ^ (stream * 0xD1B54A32D192ED03UL);
        return new DeterministicRandom(SplitMix64(ref y));
    }

    /// <summary>The stream of one sample of one epoch of a training run seeded with <paramref name="seed"/> (its augmentation).</summary>
    public static DeterministicRandom ForSample(int seed, int epoch, int sampleIndex) => new(Derive(seed, epoch, sampleIndex, 0x5A3D_17E5UL));

    /// <summary>The stream of epoch-level decisions (the shuffle of an epoch), kept apart from every per-sample stream.</summary>
    public static DeterministicRandom ForEpoch(int seed, int epoch) => new(Derive(seed, epoch, 0, 0xE70C_5EEDUL));

    // Chaining the SplitMix64 finaliser over each input gives unrelated seeds for neighbouring (seed, epoch, index) triples.
    static ulong Derive(int seed, int epoch, int index, ulong domain)
    {
        ulong h = Mix(domain + Golden);
        h = Mix(h ^ (uint)seed);
        h = Mix(h ^ ((ulong)(uint)epoch << 32));
        h = Mix(h ^ (uint)index);
        return h;
    }

    static ulong SplitMix64(ref ulong x) => Mix(x += Golden);

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
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
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform in [min, max), drawn in double precision and rounded to float.</summary>
    public float Uniform(float min, float max) => (float)(min + (max - min) * NextDouble());

    /// <summary>Uniform integer in [0, <paramref name="count"/>): the high 32 bits scaled by multiply-shift (Lemire), bias below count/2^32.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is not positive.</exception>
    public int NextInt(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be positive");
        return (int)(((NextUInt64() >> 32) * (ulong)count) >> 32);
    }

    /// <summary>Uniform integer in [min, max], both ends included.</summary>
    /// <exception cref="ArgumentOutOfRangeException">max is below min.</exception>
    public int NextInt(int min, int max) =>
        max >= min ? min + NextInt(max - min + 1) : throw new ArgumentOutOfRangeException(nameof(max), max, $"max must be >= min ({min})");

    /// <summary>True with probability <paramref name="p"/>; always consumes one draw, so later draws keep their place.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal deviate (Box–Muller, one of the pair).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm stays finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) deviate (Marsaglia and Tsang, ACM TOMS 26(3), 2000), for shape ≥ 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">shape is below 1.</exception>
    public double NextGamma(double shape)
    {
        if (shape < 1) throw new ArgumentOutOfRangeException(nameof(shape), shape, "shape must be >= 1");
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x = NextGaussian(), v = 1.0 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Beta(a, b) deviate as X/(X+Y) of two gammas (MixUp draws its blend ratio from Beta(32, 32), like Ultralytics).</summary>
    public double NextBeta(double a, double b)
    {
        double x = NextGamma(a), y = NextGamma(b);
        return x / (x + y);
    }
}
