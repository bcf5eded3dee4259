namespace Mandate.Benchmarks.Corpus;

/// <summary>
/// Per-decision statistics, computed exactly like benchmarks/compare/timing.mjs: nearest-rank median and p99 and the
/// mean of durations in nanoseconds, reported in microseconds.
/// </summary>
internal sealed record DecisionTimings(int Decisions, double MedianUs, double P99Us, double MeanUs)
{
    public static DecisionTimings From(double[] durationsNs)
    {
        if (durationsNs.Length == 0)
        {
            return new DecisionTimings(0, 0, 0, 0);
        }
        var sorted = (double[])durationsNs.Clone();
        Array.Sort(sorted);
        double Rank(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new DecisionTimings(sorted.Length, Round(Rank(0.5) / 1000), Round(Rank(0.99) / 1000), Round(sorted.Average() / 1000));
    }

    private static double Round(double x) => Math.Round(x, 3);
}
