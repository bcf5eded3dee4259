namespace Mandate.Core.DynamicCredentials;

/// <summary>What an engine is asked to create: a credential named <see cref="Username"/> valid until <see cref="ExpiresAt"/>.</summary>
internal sealed record DynamicCredentialRequest(string Username, string TaskId, DateTimeOffset ExpiresAt);
