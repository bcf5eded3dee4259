namespace Mandate.Core.Detection.Rules;

/// <summary>
/// <c>rate_anomaly</c>: an identity's decisions per bucket (<see cref="DetectionRuleSettings.Window"/>, default one
/// minute) far above its own baseline. Each closed bucket updates an exponentially weighted mean and variance
/// (smoothing α; empty buckets in between count as zero); once <see cref="DetectionRuleSettings.MinimumEvents"/>
/// buckets are known, the open bucket fires when its count reaches both <see cref="DetectionRuleSettings.Threshold"/>
/// and mean + <see cref="DetectionRuleSettings.Deviation"/> standard deviations. At most once per bucket.
/// </summary>
internal sealed class RateAnomalyRule : IDetectionRule
{
    /// <summary>Empty buckets folded into the baseline after a pause, at most (beyond it the mean is near zero anyway).</summary>
    private const int MaxIdleBuckets = 120;

    public string Name => DetectionRuleNames.RateAnomaly;

    public void Observe(DetectionScope scope)
    {
        var e = scope.Event;
        if (!DetectionEvents.IsDecision(e) || DetectionEvents.DecisionIdentity(e) is not { Length: > 0 } identity)
        {
            return;
        }

        var settings = scope.Settings(Name);
        var bucketMs = Math.Max(1, (long)settings.Window.TotalMilliseconds);
        var bucket = scope.At / bucketMs * bucketMs;
        var state = scope.State.Identity(identity);
        var rate = state.Rate ??= new RateState { BucketStart = bucket };
        if (bucket > rate.BucketStart)
        {
            Close(rate, rate.BucketCount, settings.Smoothing);
            var idle = Math.Min(MaxIdleBuckets, (bucket - rate.BucketStart) / bucketMs - 1);
            for (var i = 0; i < idle; i++)
            {
                Close(rate, 0, settings.Smoothing);
            }

            rate.BucketStart = bucket;
            rate.BucketCount = 0;
            rate.BucketSeqs.Clear();
            rate.Fired = false;
        }

        rate.BucketCount += DetectionEvents.Count(e);
        if (rate.BucketSeqs.Count < RuleWindows.MaxEvidence)
        {
            rate.BucketSeqs.Add(scope.Record.Sequence);
        }

        if (rate.Fired || rate.Buckets < settings.MinimumEvents || rate.BucketCount < settings.Threshold)
        {
            return;
        }

        // Counts of independent requests vary at least as a Poisson count does (variance ≥ mean); the EWMA estimate
        // alone runs low after a steady stretch and would call ordinary fluctuation an anomaly. "Far" is also relative:
        // the bucket must reach Ratio times the usual rate, not only be improbable.
        var deviation = Math.Sqrt(Math.Max(rate.Variance, rate.Mean));
        var limit = Math.Max(rate.Mean + (settings.Deviation * deviation), rate.Mean * settings.Ratio);
        if (rate.BucketCount <= limit)
        {
            return;
        }

        rate.Fired = true;
        scope.Hit(
            Name,
            identity,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{identity} made {rate.BucketCount} decisions within {settings.Window}, against its usual {rate.Mean:0.#} (± {deviation:0.#})."),
            RuleWindows.Evidence(rate.BucketSeqs));
    }

    /// <summary>EWMA update of mean and variance with one closed bucket's count.</summary>
    private static void Close(RateState rate, double count, double alpha)
    {
        if (rate.Buckets == 0)
        {
            rate.Mean = count;
            rate.Variance = 0;
        }
        else
        {
            var difference = count - rate.Mean;
            var increment = alpha * difference;
            rate.Mean += increment;
            rate.Variance = (1 - alpha) * (rate.Variance + difference * increment);
        }

        rate.Buckets++;
    }
}
