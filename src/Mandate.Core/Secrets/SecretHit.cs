namespace Mandate.Core.Secrets;

/// <summary>One detection in one file, already fingerprinted (the raw value is not here).</summary>
internal sealed record SecretHit(string Fingerprint, string Kind, string Confidence, int Line, string? CredentialId);
