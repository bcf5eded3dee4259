namespace Mandate.Core.Decisions;

/// <summary>Stable codes of refusals of <c>/v1/pep-credentials</c>; rows in docs/errors.md.</summary>
internal static class PepCredentialErrorCodes
{
    /// <summary>400: a name, lifetime or reason that is missing or malformed.</summary>
    public const string Invalid = "pep-credential-invalid";

    /// <summary>409: the name is that of a configured PEP credential.</summary>
    public const string Exists = "pep-credential-exists";

    /// <summary>404: no issued credential with that id.</summary>
    public const string NotFound = "pep-credential-not-found";

    /// <summary>409: revoked already.</summary>
    public const string Revoked = "pep-credential-revoked";
}
