namespace Mandate.Server.Detection;

/// <summary>Problem codes of the alert and risk API (listed in docs/errors.md).</summary>
internal static class DetectionProblemTypes
{
    /// <summary>A query parameter of <c>GET /v1/alerts</c> or <c>/v1/alerts/stream</c> is not valid.</summary>
    public const string InvalidAlertQuery = "invalid-alert-query";

    /// <summary>The identity of <c>/v1/risk/{identity}</c> is empty or too long.</summary>
    public const string InvalidRiskIdentity = "invalid-risk-identity";

    /// <summary>A webhook endpoint to add, or a dead-letter query, is not valid.</summary>
    public const string InvalidWebhook = "invalid-webhook";

    /// <summary>No webhook endpoint (or outbox message) has that id.</summary>
    public const string WebhookNotFound = "webhook-not-found";

    /// <summary>A Shared Signals stream configuration, status, subject or verification request is not valid.</summary>
    public const string InvalidSsfStream = "invalid-ssf-stream";

    /// <summary>No Shared Signals stream has that id.</summary>
    public const string SsfStreamNotFound = "ssf-stream-not-found";
}
