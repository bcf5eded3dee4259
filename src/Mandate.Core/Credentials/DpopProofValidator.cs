using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Credentials;

/// <summary>
/// Checks a DPoP proof (RFC 9449 §4.3): a <c>dpop+jwt</c> signed with an asymmetric algorithm by the public key in its
/// own <c>jwk</c> header, for this method and URI, issued within the accepted window, never seen before (<c>jti</c>),
/// and, when it accompanies an access token, carrying that token's hash (<c>ath</c>). Yields the key's RFC 7638 thumbprint.
/// </summary>
internal sealed class DpopProofValidator(TimeProvider time)
{
    /// <summary>The algorithms a DPoP proof may be signed with (advertised as <c>dpop_signing_alg_values_supported</c>).</summary>
    internal static readonly string[] Algorithms =
        [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>How old (or, within the skew, how far in the future) a proof's <c>iat</c> may be.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private const int MaxRemembered = 100_000;
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, DateTimeOffset> seen = new(StringComparer.Ordinal);

    public async Task<DpopValidation> ValidateAsync(string proof, string method, string uri, string? accessToken)
    {
        if (string.IsNullOrWhiteSpace(proof) || !handler.CanReadToken(proof))
        {
            return DpopValidation.Fail("the DPoP proof is not a JWT");
        }

        JsonWebToken jwt;
        JsonWebKey key;
        try
        {
            jwt = handler.ReadJsonWebToken(proof);
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
            if (!header.RootElement.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
            {
                return DpopValidation.Fail("the DPoP proof has no jwk header");
            }

            if (jwk.TryGetProperty("d", out _))
            {
                return DpopValidation.Fail("the DPoP proof's jwk carries a private key");
            }

            key = new JsonWebKey(jwk.GetRawText());
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException)
        {
            return DpopValidation.Fail("the DPoP proof is malformed");
        }

        if (!string.Equals(jwt.Typ, "dpop+jwt", StringComparison.Ordinal))
        {
            return DpopValidation.Fail("the DPoP proof's typ is not dpop+jwt");
        }

        var result = await handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            IssuerSigningKey = key,
            ValidAlgorithms = Algorithms,
            ValidTypes = ["dpop+jwt"],
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return DpopValidation.Fail("the DPoP proof's signature does not verify with its jwk");
        }

        var htm = jwt.TryGetPayloadValue<string>("htm", out var m) ? m : null;
        var htu = jwt.TryGetPayloadValue<string>("htu", out var u) ? u : null;
        var proofJti = jwt.TryGetPayloadValue<string>("jti", out var j) ? j : null;
        if (!string.Equals(htm, method, StringComparison.Ordinal))
        {
            return DpopValidation.Fail($"the DPoP proof is for method {htm ?? "(none)"}, not {method}");
        }

        if (htu is null || !SameUri(htu, uri))
        {
            return DpopValidation.Fail($"the DPoP proof is for {htu ?? "(no htu)"}, not {uri}");
        }

        if (string.IsNullOrEmpty(proofJti))
        {
            return DpopValidation.Fail("the DPoP proof has no jti");
        }

        var now = time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>("iat", out var iatSeconds))
        {
            return DpopValidation.Fail("the DPoP proof has no iat");
        }

        var iat = DateTimeOffset.FromUnixTimeSeconds(iatSeconds);
        if (iat < now - Window || iat > now + TimeSpan.FromSeconds(30))
        {
            return DpopValidation.Fail("the DPoP proof's iat is outside the accepted window");
        }

        if (accessToken is not null)
        {
            var expected = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
            var ath = jwt.TryGetPayloadValue<string>("ath", out var a) ? a : null;
            if (!string.Equals(ath, expected, StringComparison.Ordinal))
            {
                return DpopValidation.Fail("the DPoP proof's ath does not match the access token");
            }
        }

        var thumbprint = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        if (!Remember(thumbprint + ":" + proofJti, now))
        {
            return DpopValidation.Fail("the DPoP proof was already used (replayed jti)");
        }

        return new DpopValidation(true, thumbprint, null);
    }

    private bool Remember(string key, DateTimeOffset now)
    {
        if (seen.Count >= MaxRemembered)
        {
            foreach (var (old, at) in seen)
            {
                if (at < now - Window - Window)
                {
                    seen.TryRemove(old, out _);
                }
            }
        }

        return seen.TryAdd(key, now);
    }

    private static bool SameUri(string proofUri, string requestUri)
    {
        if (!Uri.TryCreate(proofUri, UriKind.Absolute, out var a) || !Uri.TryCreate(requestUri, UriKind.Absolute, out var b))
        {
            return false;
        }

        // RFC 9449 §4.3: compare without query and fragment, after normalization of scheme and host case and default port;
        // the path is case-sensitive (RFC 3986 §6.2.2.1).
        return Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            && Uri.Compare(a, b, UriComponents.Path, UriFormat.Unescaped, StringComparison.Ordinal) == 0;
    }
}
