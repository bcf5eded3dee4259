using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>The Cedar context of one request, and the credential facts the audit record needs; or an early deny.</summary>
internal sealed record MappedContext(
    IReadOnlyDictionary<string, CedarValue> Context,
    string? CredentialId = null,
    string? TaskId = null,
    IReadOnlyList<string>? Chain = null,
    AuthZenDecision? Denied = null);
