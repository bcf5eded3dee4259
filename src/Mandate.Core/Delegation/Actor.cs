namespace Mandate.Core.Delegation;

/// <summary>One party in a delegation chain: its <c>sub</c>, and its <c>iss</c> when that is needed to make it unique.</summary>
internal sealed record Actor(string Subject, string? Issuer);
