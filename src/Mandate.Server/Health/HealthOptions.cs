namespace Mandate.Server.Health;

/// <summary>Readiness settings (configuration section <c>Mandate:Health</c>).</summary>
internal sealed class HealthOptions
{
    public const string SectionName = "Mandate:Health";

    /// <summary>
    /// A background loop failing for longer than this makes <c>/readyz</c> answer 503 (unhealthy); before that the
    /// node is degraded (200) while the loop retries.
    /// </summary>
    public TimeSpan BackgroundUnhealthyAfter { get; set; } = TimeSpan.FromMinutes(1);
}
