using System.Security.Cryptography;
using System.Text;

namespace Mandate.Server.Tests.Infrastructure;

/// <summary>
/// A webhook receiver's signature check, written from the Standard Webhooks specification (not with Mandate's signer):
/// the key is the base64 after <c>whsec_</c>; the signature is HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>;
/// <c>webhook-signature</c> holds space-separated <c>v1,{base64}</c> entries, any of which may match (constant time).
/// </summary>
internal static class StandardWebhooks
{
    public static bool Verifies(ReceivedRequest request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.{request.Body}");
        var expected = HMACSHA256.HashData(key, signed);
        foreach (var entry in request.Headers["webhook-signature"].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0 && entry[..comma] == "v1"
                && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(entry[(comma + 1)..]), expected))
            {
                return true;
            }
        }

        return false;
    }
}
