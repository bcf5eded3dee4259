namespace Mandate.Cedar;

/// <summary>The outcome of an authorization request.</summary>
public enum Decision
{
    /// <summary>Not allowed: a forbid applied, or no permit did.</summary>
    Deny,
    /// <summary>Allowed: a permit applied and no forbid did.</summary>
    Allow,
}
