namespace Mandate.Core.Credentials;

/// <summary>A freshly signed credential: the token (handed to the caller once, never stored or logged) and its record.</summary>
internal sealed record IssuedCredential(string Token, CredentialRecord Record);
