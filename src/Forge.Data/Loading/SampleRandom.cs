namespace Forge.Data.Loading;

/// <summary>
/// A small deterministic PRNG (SplitMix64) whose stream is a pure function of (seed, epoch, sample index).
/// Every sample gets its own generator, so its augmentation does not depend on thread scheduling or on how many
/// workers build batches. Not thread-safe by design: one instance belongs to one sample being built.
/// </summary>
public sealed class SampleRandom
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    ulong _state;

    public SampleRandom(ulong state) => _state = state;

    /// <summary>The generator for one sample of one epoch of a run seeded with <paramref name="seed"/>.</summary>
    public SampleRandom(int seed, int epoch, int sampleIndex) : this(Derive(seed, epoch, sampleIndex, 0x5A3D_17E5UL)) { }

    /// <summary>A generator for epoch-level decisions (shuffling), kept apart from every per-sample stream.</summary>
    public static SampleRandom ForEpoch(int seed, int epoch) => new(Derive(seed, epoch, 0, 0xE70C_5EEDUL));

    // Chaining the mixer over each input gives unrelated streams for neighbouring (seed, epoch, index) triples.
    static ulong Derive(int seed, int epoch, int index, ulong domain)
    {
        ulong h = Mix(domain + Golden);
        h = Mix(h ^ (uint)seed);
        h = Mix(h ^ ((ulong)(uint)epoch << 32));
        h = Mix(h ^ (uint)index);
        return h;
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, count); Lemire's multiply-shift, bias below 2^-32 for any int count.</summary>
    public int NextInt(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be positive");
        return (int)(((UInt128)NextUInt64() * (ulong)count) >> 64);
    }

    /// <summary>True with probability <paramref name="p"/>; always consumes one draw so later draws keep their place.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal deviate (Box–Muller, one of the pair).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Gamma(shape, 1) deviate (Marsaglia–Tsang), for shape ≥ 1.</summary>
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

    /// <summary>Beta(a, b) deviate from two gammas (MixUp draws its blend ratio from Beta(32, 32)).</summary>
    public double NextBeta(double a, double b)
    {
        double x = NextGamma(a), y = NextGamma(b);
        return x / (x + y);
    }
}
