using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Core.Operators;
using Mandate.Protocol.OAuth;
using Mandate.Server.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>
/// Client authentication at the OAuth endpoints (RFC 6749 §2.3): HTTP Basic for configured confidential clients, a
/// Mandate JWT-SVID as bearer token, a JWT client assertion (RFC 7523; a JWT-SVID of a trusted trust domain), or the
/// admin token. Exactly one method per request.
/// </summary>
internal static class OAuthClientAuthentication
{
    public static async Task<OAuthClient> AuthenticateAsync(HttpContext context, IFormCollection form, TokenAssertionValidator assertions, IOptionsMonitor<TokenExchangeOptions> options)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var hasBasic = header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        var hasBearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var hasAssertion = form.ContainsKey("client_assertion") || form.ContainsKey("client_assertion_type");
        var methods = (hasBasic ? 1 : 0) + (hasBearer ? 1 : 0) + (hasAssertion ? 1 : 0);
        if (methods == 0)
        {
            return OAuthClient.Fail("client authentication is required (HTTP Basic, a JWT-SVID bearer token, or a client_assertion)");
        }

        if (methods > 1)
        {
            return OAuthClient.Fail("use exactly one client authentication method", OAuthErrorCodes.InvalidRequest);
        }

        if (hasBasic)
        {
            return Basic(header["Basic ".Length..].Trim(), options.CurrentValue);
        }

        if (hasBearer)
        {
            var admin = await context.AuthenticateAsync(AdminAuthenticationHandler.SchemeName);
            if (admin.Succeeded && ActingOperator.Of(admin.Principal) is { } acting)
            {
                // Revoking (or exchanging) anyone's token is a security operator's right; an auditor's token is no client here.
                return acting.Holds(OperatorRole.Security)
                    ? new OAuthClient(acting.Actor, true, null, null)
                    : OAuthClient.Fail("the operator does not hold the security role");
            }

            var workload = await context.AuthenticateAsync(WorkloadAuthentication.SchemeName);
            return workload.Succeeded && workload.Principal.FindFirst(WorkloadAuthentication.SubjectClaim)?.Value is { } spiffeId
                ? new OAuthClient(spiffeId, false, null, null)
                : OAuthClient.Fail("the bearer token is neither the admin token nor a valid Mandate JWT-SVID for this server");
        }

        if (form["client_assertion_type"].ToString() != GrantTypes.JwtBearerClientAssertion || form["client_assertion"].Count != 1)
        {
            return OAuthClient.Fail($"client_assertion_type must be {GrantTypes.JwtBearerClientAssertion} with one client_assertion");
        }

        var (subject, error) = await assertions.ValidateAsync(form["client_assertion"].ToString());
        if (subject is null)
        {
            return OAuthClient.Fail($"the client assertion is not valid: {error}");
        }

        if (form["client_id"].Count > 0 && form["client_id"].ToString() != subject)
        {
            return OAuthClient.Fail("client_id does not match the client assertion's subject");
        }

        return new OAuthClient(subject, false, null, null);
    }

    private static OAuthClient Basic(string encoded, TokenExchangeOptions settings)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return OAuthClient.Fail("the Basic credentials are not valid base64");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return OAuthClient.Fail("the Basic credentials must be client_id:client_secret");
        }

        // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
        var clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        var secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        var client = settings.Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
        var presented = TokenDigest.OfUtf8(secret).ToHex();
        var expected = client?.SecretSha256.ToLowerInvariant() ?? new string('0', 64);
        var matches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(expected.PadRight(64)[..64]));
        return client is not null && matches
            ? new OAuthClient(clientId, false, null, null)
            : OAuthClient.Fail("unknown client or wrong secret");
    }
}

/// <summary>Who called an OAuth endpoint; <see cref="Error"/> set when authentication failed.</summary>
internal sealed record OAuthClient(string? ClientId, bool IsAdmin, string? Error, string? ErrorCode)
{
    public static OAuthClient Fail(string description, string code = OAuthErrorCodes.InvalidClient) => new(null, false, description, code);
}
