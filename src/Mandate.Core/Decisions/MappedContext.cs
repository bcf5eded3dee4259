using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The Cedar context of one request, and the credential facts the audit record needs; or an early deny.
/// <see cref="Recorded"/> is the part of the context the audit record keeps (<see cref="DecisionContextRecord"/>):
/// the caller's members and a risk that is not low; null when there is neither.
/// </summary>
internal sealed record MappedContext(
    IReadOnlyDictionary<string, CedarValue> Context,
    string? CredentialId = null,
    string? TaskId = null,
    IReadOnlyList<string>? Chain = null,
    AuthZenDecision? Denied = null)
{
    public IReadOnlyDictionary<string, CedarValue>? Recorded { get; init; }
}
