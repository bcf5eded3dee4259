namespace Mandate.Core.Audit;

/// <summary>The copies of body fields a store keeps in columns for queries; verification checks they match the body.</summary>
public sealed record AuditIndexedColumns(
    long TimeMilliseconds,
    string Type,
    string? Actor,
    string? Subject,
    string? Action,
    string? Resource,
    string? Decision,
    string? CredentialId,
    string? TaskId,
    string? RequestId);
