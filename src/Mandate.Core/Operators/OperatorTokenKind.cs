namespace Mandate.Core.Operators;

/// <summary>Where an operator token came from.</summary>
internal enum OperatorTokenKind
{
    /// <summary>A personal API token, created by an admin or the operator and shown once.</summary>
    Api,

    /// <summary>A short-lived session token handed out for a verified OIDC ID token.</summary>
    Session,
}
