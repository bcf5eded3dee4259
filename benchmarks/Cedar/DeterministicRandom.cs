namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// A small seeded generator (SplitMix64) whose sequence is fixed by this code alone, so a corpus is the same on
/// every runtime and machine (System.Random's seeded sequence is an implementation detail we do not want to rely on).
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>Derives an independent seed from a parent seed and labels (app, size, index).</summary>
    public static ulong Derive(ulong seed, string label, int a = 0, int b = 0)
    {
        var h = seed ^ 0x9E3779B97F4A7C15UL;
        foreach (var c in label)
        {
            h = Mix(h ^ c);
        }
        h = Mix(h ^ (ulong)(uint)a);
        return Mix(h ^ ((ulong)(uint)b << 32));
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>An integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int NextInclusive(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
