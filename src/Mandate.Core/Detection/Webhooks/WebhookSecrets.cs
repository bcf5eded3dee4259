using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Identity.Keys;

namespace Mandate.Core.Detection.Webhooks;

/// <summary>
/// Signing secrets and signatures of the Standard Webhooks specification: a secret is <c>whsec_</c> and the base64 of
/// 32 random bytes; a message is signed as <c>v1,</c> and the base64 HMAC-SHA256, under those bytes, of
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>. Stored secrets are encrypted under the key-encryption key, bound to
/// the endpoint id (a ciphertext cannot be moved to another endpoint).
/// </summary>
internal sealed class WebhookSecrets(PrivateKeyProtector protector)
{
    public const string Prefix = "whsec_";
    private const int SecretBytes = 32;

    /// <summary>A new secret (<c>whsec_…</c>) and its stored, encrypted form for endpoint <paramref name="endpointId"/>.</summary>
    public (string Secret, string Protected) Create(string endpointId)
    {
        var key = RandomNumberGenerator.GetBytes(SecretBytes);
        try
        {
            return (Prefix + Convert.ToBase64String(key), Convert.ToBase64String(protector.Protect(Binding(endpointId), key)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The <c>webhook-signature</c> header value of one message.</summary>
    public string Sign(WebhookEndpoint endpoint, string messageId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var key = protector.Unprotect(Binding(endpoint.Id), Convert.FromBase64String(endpoint.ProtectedSecret));
        try
        {
            return Signature(key, messageId, timestamp, body);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal static string Signature(byte[] key, string messageId, long timestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{messageId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    private static string Binding(string endpointId) => "webhook:" + endpointId;
}
