using System.Buffers;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Identity;

/// <summary><c>/.well-known/jwks.json</c> (JWT validation keys) and <c>/.well-known/spiffe-bundle</c> (the SPIFFE trust bundle).</summary>
internal static class WellKnownIdentityEndpoints
{
    public static IEndpointRouteBuilder MapWellKnownIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", (KeyRing keyRing, IOptions<IdentityOptions> options, HttpContext context) =>
        {
            SetCaching(context, options.Value);
            return Results.Bytes(keyRing.PublicJwksJson(), "application/jwk-set+json");
        }).AllowAnonymous();

        app.MapGet("/.well-known/spiffe-bundle", (KeyRing keyRing, IOptions<IdentityOptions> options, HttpContext context) =>
        {
            SetCaching(context, options.Value);
            return Results.Bytes(SpiffeBundle(keyRing, options.Value), "application/json");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// The bundle for our trust domain: one <c>x509-svid</c> entry per valid CA certificate (no kid, <c>x5c</c> holding
    /// that one certificate) and one <c>jwt-svid</c> entry per published JWT key (kid required), with
    /// <c>spiffe_sequence</c> and <c>spiffe_refresh_hint</c>.
    /// </summary>
    internal static byte[] SpiffeBundle(KeyRing keyRing, IdentityOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var certificate in keyRing.PublishedAuthorities())
            {
                writer.WriteStartObject();
                using var publicKey = certificate.GetECDsaPublicKey()!;
                var p = publicKey.ExportParameters(false);
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Q.X));
                writer.WriteString("y", Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Q.Y));
                writer.WriteString("use", "x509-svid");
                writer.WriteStartArray("x5c");
                writer.WriteStringValue(Convert.ToBase64String(certificate.RawData));
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            foreach (var key in keyRing.PublishedJwtKeys())
            {
                writer.WriteStartObject();
                key.Verification.WriteJwkMembers(writer, "jwt-svid");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("spiffe_sequence", keyRing.BundleSequence());
            writer.WriteNumber("spiffe_refresh_hint", (long)options.BundleRefreshHint.TotalSeconds);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void SetCaching(HttpContext context, IdentityOptions options)
    {
        // Relying parties may cache for a fraction of the refresh hint, never long enough to miss a pre-published key.
        var seconds = Math.Max(1, (long)(options.BundleRefreshHint.TotalSeconds / 5));
        context.Response.Headers.CacheControl = "public, max-age=" + seconds.ToString(CultureInfo.InvariantCulture);
    }
}
