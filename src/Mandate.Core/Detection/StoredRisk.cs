namespace Mandate.Core.Detection;

/// <summary>An identity's risk score as of <see cref="UpdatedAt"/>; it decays from there (see <see cref="RiskBook"/>).</summary>
internal sealed record StoredRisk(string Identity, double Score, DateTimeOffset UpdatedAt, string? Reason);
