namespace Mandate.Core.Credentials;

/// <summary>The outcome of verifying a credential: valid with its facts, or not with an OAuth error code and why.</summary>
internal sealed record CredentialVerification(bool Valid, VerifiedCredential? Credential, string? Error, string? Description)
{
    public static CredentialVerification Success(VerifiedCredential credential) => new(true, credential, null, null);

    public static CredentialVerification Failure(string description, string error = "invalid_token") => new(false, null, error, description);
}
