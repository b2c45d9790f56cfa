namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// Seeded pseudo-random source (xoshiro256** seeded through SplitMix64). The generator uses its
/// own PRNG rather than System.Random or OpenCV's RNG so that frames stay bit-identical for a
/// (spec, seed) pair across .NET and OpenCV versions.
/// </summary>
internal sealed class SyntheticRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    internal SyntheticRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>An independent stream for a named purpose, so that adding draws to one stage
    /// (or one hair) never shifts the numbers another stage sees.</summary>
    internal static SyntheticRandom Derive(int seed, string purpose, long index = 0)
    {
        // FNV-1a over the purpose: string.GetHashCode is randomised per process.
        var h = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        var mixed = (ulong)(uint)seed ^ (h * 0x9E3779B97F4A7C15UL) ^ ((ulong)index * 0xD1B54A32D192ED03UL);
        return new SyntheticRandom(mixed);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    internal ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    internal double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    internal double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, count).</summary>
    internal int NextInt(int count) => (int)(NextDouble() * count);

    internal bool Chance(double probability) => NextDouble() < probability;

    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Standard normal (Box-Muller; the second value of each pair is kept for the next call).</summary>
    internal double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
        _spareNormal = radius * sin;
        _hasSpare = true;
        return radius * cos;
    }

    internal double Normal(double mean, double sigma) => mean + (sigma * Normal());

    /// <summary>Poisson draw: Knuth for small means, a rounded normal for large ones.</summary>
    internal int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 60)
        {
            return Math.Max(0, (int)Math.Round(Normal(mean, Math.Sqrt(mean))));
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= NextDouble();
        }
        while (p > limit);
        return k - 1;
    }

    /// <summary>Index drawn with the given (not necessarily normalised) weights.</summary>
    internal int Weighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var r = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            r -= weights[i];
            if (r < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }
}
