using Mandate.Core.Admin;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Delegation;
using Mandate.Core.Detection;
using Mandate.Core.Detection.SharedSignals;
using Mandate.Core.Detection.Signals;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Identity;
using Mandate.Core.Operators;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Mandate.Core.Telemetry;
using Mandate.Server.Authentication;
using Mandate.Server.Health;
using Mandate.Server.Http;
using Mandate.Server.Identity;

namespace Mandate.Server.Hosting;

/// <summary>
/// Every section of the <c>Mandate</c> configuration and the options class it binds to: what a configuration file may
/// say (<see cref="ConfigurationFile"/>). A section bound somewhere must be listed here, or a file setting it is refused.
/// </summary>
internal static class ConfigurationSchema
{
    /// <summary>Section name → options type, longest names first so a subsection wins over its parent.</summary>
    public static readonly IReadOnlyList<(string Section, Type Type)> Sections = new (string, Type)[]
    {
        ("Mandate", typeof(ServeSettings)),
        (KeyEncryptionOptions.SectionName, typeof(KeyEncryptionOptions)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
        (AuditOptions.SectionName, typeof(AuditOptions)),
        (ClusterOptions.SectionName, typeof(ClusterOptions)),
        (DecisionOptions.SectionName, typeof(DecisionOptions)),
        (DetectionOptions.SectionName, typeof(DetectionOptions)),
        (Mandate.Core.Exceptions.ExceptionOptions.SectionName, typeof(Mandate.Core.Exceptions.ExceptionOptions)),
        (GovernanceOptions.SectionName, typeof(GovernanceOptions)),
        (HealthOptions.SectionName, typeof(HealthOptions)),
        (IdentityOptions.SectionName, typeof(IdentityOptions)),
        (AttestationRateLimitOptions.SectionName, typeof(AttestationRateLimitOptions)),
        (MetricsOptions.SectionName, typeof(MetricsOptions)),
        (OperatorOptions.SectionName, typeof(OperatorOptions)),
        (PolicySyncOptions.SectionName, typeof(PolicySyncOptions)),
        (AuthenticationFailureLimit.SectionName, typeof(AuthenticationFailureLimitOptions)),
        (RequestRateLimiting.DecisionsSection, typeof(RequestRateLimitOptions)),
        (RequestRateLimiting.AuthenticatedDecisionsSection, typeof(RequestRateLimitOptions)),
        (TrustedProxyOptions.SectionName, typeof(TrustedProxyOptions)),
        (RequestRateLimiting.CredentialsSection, typeof(RequestRateLimitOptions)),
        ("Mandate:RateLimits", typeof(RateLimitSections)),
        (RevocationSyncOptions.SectionName, typeof(RevocationSyncOptions)),
        (SsfOptions.SectionName, typeof(SsfOptions)),
        (SignalOptions.SectionName, typeof(SignalOptions)),
        (StoreOptions.SectionName, typeof(StoreOptions)),
        (TaskOptions.SectionName, typeof(TaskOptions)),
        (TokenExchangeOptions.SectionName, typeof(TokenExchangeOptions)),
    }.OrderByDescending(s => s.Item1.Length).ToArray();

    /// <summary>The most specific section <paramref name="key"/> is in (at least <c>Mandate</c>).</summary>
    public static (string Section, Type Type) SectionOf(string key) =>
        Sections.First(s => key.Equals(s.Section, StringComparison.OrdinalIgnoreCase) || key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of the sections directly under <paramref name="section"/> (<c>Mandate</c> → Audit, Cluster, …).</summary>
    public static IEnumerable<string> SubsectionsOf(string section) =>
        Sections.Select(s => s.Section)
            .Where(s => s.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) && !s[(section.Length + 1)..].Contains(':', StringComparison.Ordinal))
            .Select(s => s[(section.Length + 1)..])
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// The settings directly under <c>Mandate</c>: what <c>mandate serve</c> takes as options (<c>--urls</c>, <c>--store</c>,
    /// …); an option given on the command line wins.
    /// </summary>
    internal sealed class ServeSettings
    {
        public string? Urls { get; set; }

        public string? Http2Urls { get; set; }

        public string? PublicUrl { get; set; }

        public string? StateDirectory { get; set; }

        public string? DataDirectory { get; set; }
    }

    /// <summary><c>Mandate:RateLimits</c> holds only subsections.</summary>
    internal sealed class RateLimitSections;
}
