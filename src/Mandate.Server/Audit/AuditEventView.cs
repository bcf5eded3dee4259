using Mandate.Core.Audit;

namespace Mandate.Server.Audit;

/// <summary>An audit event as the API shows it (snake_case JSON).</summary>
internal sealed record AuditEventView(
    long Seq,
    string Time,
    string Type,
    string? Actor,
    string? Subject,
    IReadOnlyList<string>? Chain,
    string? Action,
    string? Resource,
    string? Decision,
    string? PolicyVersion,
    string? Jti,
    string? TaskId,
    string? Reason,
    string? RequestId,
    IReadOnlyDictionary<string, string>? Details,
    string PrevHash,
    string Hash)
{
    public static AuditEventView From(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var e = record.Event;
        return new AuditEventView(
            record.Sequence, AuditCanonicalForm.FormatTime(record.Time), e.Type, e.Actor, e.Subject, e.Chain, e.Action, e.Resource, e.Decision,
            e.PolicyVersion, e.CredentialId, e.TaskId, e.Reason, e.RequestId, e.Details, record.PreviousHash, record.Hash);
    }
}
