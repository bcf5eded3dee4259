using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The credential an agent presents: its bearer token, the DPoP proof when it sent one, and the acting party the token
/// names (the current actor of a delegated credential, else its subject). The gateway reads the claims without
/// verifying them: it only needs to know whom to ask about, and the decision point verifies the token (signature,
/// expiry, revocation, proof) and refuses it when the subject asked about is not its subject or actor.
/// </summary>
internal sealed record AgentCredential(string Token, string? DpopProof, string ActingParty)
{
    private const int MaxTokenLength = 16 * 1024;

    /// <summary>A short, stable, non-reversible key for the token (rate limits, logs): never the token itself.</summary>
    public string Key { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Token)), 0, 12);

    /// <summary>The credential of a request: null with the reason when there is none or it is not a JWT naming a subject.</summary>
    public static (AgentCredential? Credential, string? Error) Read(string? authorization, string? dpop)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return (null, null);
        }

        string token;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization["Bearer ".Length..].Trim();
        }
        else if (authorization.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization["DPoP ".Length..].Trim();
        }
        else
        {
            return (null, "the Authorization header is not 'Bearer <token>'");
        }

        if (token.Length is 0 or > MaxTokenLength)
        {
            return (null, "the bearer token is empty or too long");
        }

        var acting = ActingPartyOf(token);
        if (acting is null)
        {
            return (null, "the bearer token is not a Mandate credential (a JWT with a subject)");
        }

        return (new AgentCredential(token, string.IsNullOrEmpty(dpop) ? null : dpop, acting), null);
    }

    private static string? ActingPartyOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // RFC 8693 §4.1: the outermost act is the current actor.
            if (root.TryGetProperty("act", out var act) && act.ValueKind == JsonValueKind.Object
                && act.TryGetProperty("sub", out var actor) && actor.ValueKind == JsonValueKind.String && actor.GetString() is { Length: > 0 } actorId)
            {
                return actorId;
            }

            return root.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String && sub.GetString() is { Length: > 0 } subject
                ? subject
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
