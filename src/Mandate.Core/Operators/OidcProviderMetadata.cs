namespace Mandate.Core.Operators;

/// <summary>What operator sign-in needs of the OIDC provider: its keys, and (for the console) where people sign in and codes are exchanged.</summary>
internal sealed record OidcProviderMetadata(string? JwksUri, string? AuthorizationEndpoint, string? TokenEndpoint);
