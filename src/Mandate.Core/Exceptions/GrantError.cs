namespace Mandate.Core.Exceptions;

/// <summary>Why a grant request was refused: <see cref="Code"/> is a problem type code, <see cref="Message"/> its detail.</summary>
internal sealed record GrantError(string Code, string Message);

/// <summary>The problem type codes of exceptions and break-glass.</summary>
internal static class GrantErrorCodes
{
    /// <summary>A field is missing or malformed, the TTL is out of bounds, or an entity would not make a valid Cedar policy.</summary>
    public const string Invalid = "exception-invalid";

    public const string NotFound = "exception-not-found";

    /// <summary>The grant is not in a status the operation applies to (approving a non-pending request, revoking an ended grant).</summary>
    public const string Conflict = "exception-conflict";

    /// <summary>The identity to grant is not registered.</summary>
    public const string IdentityUnknown = "exception-identity-unknown";
}
