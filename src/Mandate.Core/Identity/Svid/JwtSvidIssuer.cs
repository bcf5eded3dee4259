using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity.Keys;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// Signs JWT-SVIDs with the key ring's current JWT-SVID key (ES256 when the ring's algorithm is one JWT-SVIDs may not
/// use, such as EdDSA; the ring's key otherwise): header <c>alg</c>, <c>kid</c>, <c>typ: JWT</c>; claims <c>sub</c>
/// (SPIFFE ID), <c>aud</c>, <c>iss</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>jti</c>. Policy (who may get what)
/// is the caller's business; this checks only what makes a token well-formed.
/// </summary>
internal sealed class JwtSvidIssuer(KeyRing keyRing, TimeProvider time)
{
    public IssuedJwtSvid Issue(SpiffeId subject, IReadOnlyList<string> audiences, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(audiences);
        if (audiences.Count == 0 || audiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A JWT-SVID needs at least one non-empty audience.", nameof(audiences));
        }

        if (ttl <= TimeSpan.Zero || ttl > keyRing.MaxTokenLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), "The lifetime must be positive and within the key ring's maximum token lifetime.");
        }

        // Only an algorithm the JWT-SVID specification allows: the ring's own key, or its separate JWT-SVID key.
        var key = keyRing.CurrentSigningKey(KeyPurposes.JwtSvid);
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + ttl;
        var jti = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var header = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("kid", key.Kid);
            writer.WriteString("typ", "JWT");
            writer.WriteEndObject();
        }

        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", subject.Value);
            if (audiences.Count == 1)
            {
                writer.WriteString("aud", audiences[0]);
            }
            else
            {
                writer.WriteStartArray("aud");
                foreach (var audience in audiences)
                {
                    writer.WriteStringValue(audience);
                }

                writer.WriteEndArray();
            }

            writer.WriteString("iss", keyRing.Issuer);
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteNumber("nbf", now.ToUnixTimeSeconds());
            writer.WriteNumber("exp", expires.ToUnixTimeSeconds());
            writer.WriteString("jti", jti);
            writer.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(header.WrittenSpan) + "." + Base64Url.EncodeToString(payload.WrittenSpan);
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        var token = signingInput + "." + Base64Url.EncodeToString(signature);
        return new IssuedJwtSvid(token, jti, subject.Value, audiences.ToArray(), now, expires, key.Kid);
    }
}
