namespace Mandate.Core.Exceptions;

/// <summary>What an operator asks for: an identity, an action on one resource, for how long and why.</summary>
internal sealed record GrantRequest(string? Identity, string? Action, string? Resource, TimeSpan? Ttl, string? Reason);
