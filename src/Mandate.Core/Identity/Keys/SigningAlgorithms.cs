using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>The JWS algorithms Mandate signs with, and what they need.</summary>
public static class SigningAlgorithms
{
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;
    public const string RS256 = SecurityAlgorithms.RsaSha256;

    /// <summary>Why an algorithm cannot be used to sign, or null when it can.</summary>
    public static string? Refusal(string algorithm) => algorithm switch
    {
        ES256 or RS256 => null,
        "EdDSA" or "Ed25519" => "EdDSA is not supported: .NET has no built-in Ed25519 implementation and Mandate does not ship its own curve code; use ES256 (default) or RS256",
        _ => $"'{algorithm}' is not a supported signing algorithm; use ES256 (default) or RS256",
    };
}
