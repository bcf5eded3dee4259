namespace Mandate.Cedar;

/// <summary>
/// An authorization answer: the decision, the ids of the policies that determined it (satisfied forbids on deny,
/// satisfied permits on allow, none on default deny) and the policies that failed to evaluate.
/// </summary>
public sealed record Response(Decision Decision, IReadOnlyList<string> Reasons, IReadOnlyList<AuthorizationError> Errors)
{
    public bool IsAllowed => Decision == Decision.Allow;
}
