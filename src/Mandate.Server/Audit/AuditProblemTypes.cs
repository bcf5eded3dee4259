namespace Mandate.Server.Audit;

/// <summary>Problem codes of the audit API (listed in docs/errors.md).</summary>
internal static class AuditProblemTypes
{
    /// <summary>A query parameter of <c>GET /v1/audit/events</c> or <c>/v1/audit/export</c> is not valid.</summary>
    public const string InvalidAuditQuery = "invalid-audit-query";

    /// <summary><c>GET /v1/audit/events/{seq}/proof</c>: no event has that sequence number.</summary>
    public const string AuditEventNotFound = "audit-event-not-found";

    /// <summary><c>GET /v1/audit/events/{seq}/proof</c>: the event is newer than the last signed checkpoint.</summary>
    public const string AuditEventNotCheckpointed = "audit-event-not-checkpointed";

    /// <summary>The body of <c>POST /v1/audit/events</c> is not a valid annotation.</summary>
    public const string InvalidAuditAnnotation = "invalid-audit-annotation";
}
