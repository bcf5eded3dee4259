using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The answer to one AuthZEN evaluation. <see cref="Error"/> is set for an item of a batch that could not be evaluated
/// (answered in place as a deny); <see cref="DenyCode"/> explains a deny decided before policy evaluation (for example
/// a credential that did not verify).
/// </summary>
internal sealed record AuthZenDecision(
    bool Allowed,
    string? DecisionId,
    string? PolicyVersion,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<AuthorizationError> Errors,
    AuthZenItemError? Error = null,
    string? DenyCode = null,
    string? DenyDescription = null)
{
    /// <summary>Caller properties that were not applied (stored attributes are authoritative); see <see cref="DecisionRequest.IgnoredProperties"/>.</summary>
    public IReadOnlyList<string>? IgnoredProperties { get; init; }

    public static AuthZenDecision Failed(AuthZenItemError error) => new(false, null, null, [], [], error);

    public static AuthZenDecision From(PolicyDecision decision, IReadOnlyList<string>? ignoredProperties = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(decision.Allowed, decision.DecisionId, decision.PolicyVersion, decision.Reasons, decision.Errors) { IgnoredProperties = ignoredProperties };
    }
}

/// <summary>Why one batch item was not evaluated: an HTTP-like status, a problem code and a message.</summary>
internal sealed record AuthZenItemError(int Status, string Code, string Message);
