namespace Mandate.Server.Audit;

/// <summary>Body of <c>POST /v1/audit/events</c>: an operator's note in the ledger (type <c>annotation</c> or <c>annotation.*</c>).</summary>
internal sealed record AuditAnnotationRequest(
    string? Type,
    string? Subject,
    string? Action,
    string? Resource,
    string? TaskId,
    string? Reason,
    Dictionary<string, string>? Details);
