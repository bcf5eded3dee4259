using Mandate.Core.Detection;

namespace Mandate.Server.Detection;

/// <summary>An alert as the API shows it (<c>GET /v1/alerts</c>, the stream, <c>mandate alerts --json</c>).</summary>
internal sealed record AlertView(
    string Id,
    long Seq,
    string Rule,
    string Severity,
    string Identity,
    DateTimeOffset Time,
    string Summary,
    IReadOnlyList<long> Evidence,
    string? TaskId,
    AlertResponseView Response)
{
    public static AlertView From(DetectionAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var response = alert.Response;
        return new AlertView(
            alert.Id,
            alert.Sequence,
            alert.Rule,
            alert.Severity,
            alert.Identity,
            alert.Time,
            alert.Summary,
            alert.Evidence,
            alert.TaskId,
            new AlertResponseView(response.Actions, response.RiskScore is { } score ? new RiskView(score, response.RiskLevel ?? RiskLevels.Of(score)) : null, response.State, response.Outcomes));
    }
}

/// <summary>What was done about an alert: the configured actions, the risk it raised the identity to, their state and outcomes.</summary>
internal sealed record AlertResponseView(IReadOnlyList<string> Actions, RiskView? Risk, string State, IReadOnlyList<string> Outcomes);

/// <summary>A risk score 0–100 and its level.</summary>
internal sealed record RiskView(long Score, string Level);
