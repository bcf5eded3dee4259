using System.Text.Json;

namespace Mandate.Core.Audit;

/// <summary>
/// The copies of body fields a store keeps in columns for queries; verification checks they match the body.
/// <see cref="From"/> is the one definition of what each column holds, used both to write a row and to check it, so
/// the check compares exactly the representation that was written. <c>Chain</c> holds the delegation chain as a JSON
/// array of strings (identity queries match a quoted element in it), null when the event has none.
/// </summary>
internal sealed record AuditIndexedColumns(
    long TimeMilliseconds,
    string Type,
    string? Actor,
    string? Subject,
    string? Action,
    string? Resource,
    string? Decision,
    string? CredentialId,
    string? TaskId,
    string? RequestId,
    string? Chain,
    string? PolicyVersion)
{
    public static AuditIndexedColumns From(DateTimeOffset time, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var e = auditEvent;
        return new AuditIndexedColumns(
            time.ToUnixTimeMilliseconds(),
            e.Type,
            e.Actor,
            e.Subject,
            e.Action,
            e.Resource,
            e.Decision,
            e.CredentialId,
            e.TaskId,
            e.RequestId,
            ChainText(e.Chain),
            e.PolicyVersion);
    }

    /// <summary>How a chain is stored; an identity query looks for <see cref="ChainElement"/> inside it.</summary>
    public static string? ChainText(IReadOnlyList<string>? chain) => chain is { Count: > 0 } ? JsonSerializer.Serialize(chain) : null;

    /// <summary>One identity as it appears inside <see cref="ChainText"/> (same encoder, so the same escapes).</summary>
    public static string ChainElement(string identity) => JsonSerializer.Serialize(identity);
}
