using System.Text.Json.Nodes;
using Mandate.Core.Credentials;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// Writes Security Event Tokens (RFC 8417 as SSF 1.0 profiles them): <c>iss</c>, <c>jti</c>, <c>iat</c>, <c>aud</c>,
/// the subject as <c>sub_id</c>, <c>txn</c> naming the ledger record the event comes from, and one event in
/// <c>events</c>; signed by <see cref="SsfSigningKey"/> (ES256, <c>typ</c> <c>secevent+jwt</c>). No <c>exp</c>: a SET
/// states that something happened, it does not grant anything.
/// </summary>
internal sealed class SsfSetWriter(SsfSigningKey key, ISsfIssuer issuer)
{
    public (string Jti, string Token) Write(SsfStream stream, JsonObject subject, string eventType, JsonObject eventClaims, DateTimeOffset issuedAt, string? txn)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var jti = CompactJti.New();
        var payload = new JsonObject
        {
            ["iss"] = issuer.Issuer,
            ["jti"] = jti,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["aud"] = stream.Audience.Count == 1 ? JsonValue.Create(stream.Audience[0]) : new JsonArray([.. stream.Audience.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["sub_id"] = subject.DeepClone(),
            ["events"] = new JsonObject { [eventType] = eventClaims.DeepClone() },
        };
        if (txn is not null)
        {
            payload["txn"] = txn;
        }

        return (jti, key.Sign(payload.ToJsonString()));
    }
}

/// <summary>The transmitter's issuer (<c>iss</c> of its SETs, <c>issuer</c> of its configuration): set by the host.</summary>
internal interface ISsfIssuer
{
    string Issuer { get; }
}
