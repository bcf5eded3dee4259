namespace Mandate.Core.Telemetry;

/// <summary>Settings of the domain metrics (<c>Mandate:Metrics</c>, next to the server's <c>Access</c>).</summary>
internal sealed class MetricsOptions
{
    public const string SectionName = "Mandate:Metrics";

    /// <summary>
    /// How old a gauge read from the store (<c>mandate.tasks.active</c>, <c>mandate.audit.unsigned_events</c>) may be
    /// before a scrape refreshes it in the background: at most one store query per gauge per this interval.
    /// </summary>
    public TimeSpan StoreGaugeMaxAge { get; set; } = TimeSpan.FromSeconds(15);
}
