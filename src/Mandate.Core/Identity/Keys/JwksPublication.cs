using System.Buffers;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>The published JWT keys as a JWK set: for Microsoft.IdentityModel, and as the <c>/.well-known/jwks.json</c> document.</summary>
internal static class JwksPublication
{
    public static JsonWebKeySet ToKeySet(IEnumerable<RingKey> published)
    {
        var set = new JsonWebKeySet();
        foreach (var key in published)
        {
            // From the stored public JWK, which covers key types Microsoft.IdentityModel cannot convert (OKP).
            set.Keys.Add(new JsonWebKey(key.Stored.PublicJwk));
        }

        return set;
    }

    public static byte[] ToJson(IEnumerable<RingKey> published)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in published)
            {
                writer.WriteStartObject();
                key.Verification.WriteJwkMembers(writer, "sig");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A number that grows whenever the published bundle changes: one per key ever created plus one per key whose
    /// publication has ended. Derived from the keys, so every node computes the same value without a counter.
    /// </summary>
    public static long BundleSequence(IEnumerable<RingKey> all, DateTimeOffset now)
    {
        long sequence = 0;
        foreach (var key in all)
        {
            if (key.Stored.CreatedAt <= now)
            {
                sequence++;
            }

            if (!key.IsPublishedAt(now) && key.Stored.CreatedAt <= now)
            {
                sequence++;
            }
        }

        return sequence;
    }
}
