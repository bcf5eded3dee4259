namespace Mandate.Core.Operators;

/// <summary>Stable codes of operator refusals; each is a problem-details <c>type</c> and a row in docs/errors.md.</summary>
internal static class OperatorErrorCodes
{
    /// <summary>400: a name, role, label, lifetime or OIDC subject is missing or malformed.</summary>
    public const string Invalid = "operator-invalid";

    /// <summary>404: no operator of that name.</summary>
    public const string NotFound = "operator-not-found";

    /// <summary>409: an operator of that name, or with that OIDC subject, exists already.</summary>
    public const string Exists = "operator-exists";

    /// <summary>409: the operator is disabled (no token is created for them).</summary>
    public const string Disabled = "operator-disabled";

    /// <summary>409: the change would leave no enabled admin while the bootstrap admin token is disabled.</summary>
    public const string LastAdmin = "operator-last-admin";

    /// <summary>404: the operator has no token with that id.</summary>
    public const string TokenNotFound = "operator-token-not-found";

    /// <summary>409: the token is revoked already.</summary>
    public const string TokenRevoked = "operator-token-revoked";

    /// <summary>401: the ID token presented for sign-in did not verify or names no enabled operator.</summary>
    public const string SignInRefused = "operator-sign-in-refused";

    /// <summary>404: OIDC sign-in is not configured (<c>Mandate:Operators:Oidc</c>).</summary>
    public const string SignInNotConfigured = "operator-sign-in-not-configured";

    /// <summary>403: the same person would both request and approve (<see cref="SeparationOfDuties"/>).</summary>
    public const string SeparationOfDuties = "separation-of-duties";
}
