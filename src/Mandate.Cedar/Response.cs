namespace Mandate.Cedar;

/// <summary>
/// An authorization answer: the decision, the ids of the policies that determined it (satisfied forbids on deny,
/// satisfied permits on allow, none on default deny) and the policies that failed to evaluate.
/// </summary>
public sealed record Response(Decision Decision, IReadOnlyList<string> Reasons, IReadOnlyList<AuthorizationError> Errors)
{
    /// <summary>True when <see cref="Decision"/> is <see cref="Decision.Allow"/>.</summary>
    public bool IsAllowed => Decision == Decision.Allow;
}
