namespace Mandate.Core.Identity;

/// <summary>Why an identity operation was refused: a stable <see cref="IdentityErrorCodes">code</see> and a message for the caller.</summary>
internal sealed record IdentityError(string Code, string Message);
