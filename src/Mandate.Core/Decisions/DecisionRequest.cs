using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// A Cedar request plus request-scoped entities (overlaid on the store for this decision only) and the facts the audit
/// record needs.
/// </summary>
internal sealed record DecisionRequest(
    EntityUid Principal,
    EntityUid Action,
    EntityUid Resource,
    IReadOnlyDictionary<string, CedarValue> Context,
    IReadOnlyList<Entity>? ExtraEntities = null)
{
    /// <summary>The caller's X-Request-ID, for the audit record.</summary>
    public string? RequestId { get; init; }

    /// <summary>The <c>jti</c> of the credential the decision was made for (never the credential itself).</summary>
    public string? CredentialId { get; init; }

    public string? TaskId { get; init; }

    /// <summary>The delegation chain, outermost actor first.</summary>
    public IReadOnlyList<string>? Chain { get; init; }

    /// <summary>Who asked (a SPIFFE ID, <c>admin</c>, or null for an anonymous enforcement point).</summary>
    public string? Caller { get; init; }

    /// <summary>
    /// Caller <c>properties</c> that were not applied (<c>subject.properties.stage</c>): the store already has the
    /// attribute, or the schema does not declare it. Null when every property was applied.
    /// </summary>
    public IReadOnlyList<string>? IgnoredProperties { get; init; }

    /// <summary>The client network the request came from (for folding repeated denies), when known.</summary>
    public string? Client { get; init; }

    /// <summary>
    /// The part of <see cref="Context"/> the audit record keeps (<see cref="DecisionContextRecord"/>): the caller's
    /// members and a risk that is not low; null when there is neither.
    /// </summary>
    public IReadOnlyDictionary<string, CedarValue>? RecordedContext { get; init; }
}
