using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// Receives pushed Security Event Tokens (RFC 8935) from configured transmitters and verifies them strictly: compact
/// JWS with <c>typ</c> <c>secevent+jwt</c>, an algorithm pinned for that transmitter, a <c>kid</c> found in its JWKS and
/// a valid signature, the configured <c>iss</c> and <c>aud</c>, an <c>iat</c> neither in the future nor too old, a
/// <c>jti</c> never seen from that issuer. A RISC <c>account-disabled</c> or <c>account-purged</c>, or a CAEP
/// <c>session-revoked</c>, about a person (their email, or the <c>sub</c> of an <c>iss_sub</c> subject) starts that
/// owner's offboarding (<see cref="Governance.Offboarding.OffboardingService"/>, as <c>mandate offboard</c> does);
/// every accepted SET is a ledger event naming its issuer and jti.
/// </summary>
internal sealed class SsfReceiver
{
    public const int MaxSetBytes = 64 * 1024;

    private readonly IMandateStore store;
    private readonly IAuditTrail audit;
    private readonly TimeProvider time;
    private readonly IReadOnlyDictionary<string, SsfTransmitterOptions> transmitters;
    private readonly ConcurrentDictionary<string, OidcJwksCache> keys = new(StringComparer.Ordinal);
    private readonly OidcHttpClient http;
    private readonly Telemetry.MandateMetrics? metrics;
    private readonly Governance.Offboarding.OffboardingService offboarding;

    public SsfReceiver(
        IMandateStore store, IAuditTrail audit, Governance.Offboarding.OffboardingService offboarding, OidcHttpClient http, IOptions<SsfOptions> options, TimeProvider time,
        Telemetry.MandateMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.audit = audit;
        this.http = http;
        this.time = time;
        this.metrics = metrics;
        this.offboarding = offboarding;
        transmitters = options.Value.Transmitters.ToDictionary(t => t.Issuer, StringComparer.Ordinal);
    }

    public bool Configured => transmitters.Count > 0;

    /// <summary>Verifies and acts on one SET; an RFC 8935 error code and description when it is refused.</summary>
    public async Task<SsfReceipt> ReceiveAsync(string token, CancellationToken cancellationToken)
    {
        var receipt = await ReceiveOnceAsync(token, cancellationToken).ConfigureAwait(false);
        metrics?.SetReceived(receipt.Ok ? "accepted" : receipt.Error!);
        return receipt;
    }

    private async Task<SsfReceipt> ReceiveOnceAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var (verified, error) = await VerifyAsync(token, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var set = verified!.Value;
        var now = time.GetUtcNow();
        var issuer = set.GetProperty("iss").GetString()!;
        var jti = set.GetProperty("jti").GetString()!;
        var transmitter = transmitters[issuer];
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<ISsfRepository>();
            await repository.ForgetExpiredAsync(now, cancellationToken).ConfigureAwait(false);
            if (!await repository.TryRememberAsync(issuer, jti, now, now + transmitter.MaxAge + transmitter.ClockSkew + transmitter.ClockSkew, cancellationToken).ConfigureAwait(false))
            {
                return SsfReceipt.Refused("invalid_request", $"The SET {Clip(jti)} from {Clip(issuer)} was received already.");
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var outcomes = new List<string>();
        try
        {
            await ActAsync(set, issuer, jti, outcomes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not acted on (a store outage): forget the jti, so the transmitter's retry is not refused as a replay.
            var forget = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
            await using (forget.ConfigureAwait(false))
            {
                await forget.Get<ISsfRepository>().ForgetAsync(issuer, jti, CancellationToken.None).ConfigureAwait(false);
                await forget.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        return SsfReceipt.Accepted(outcomes);
    }

    /// <summary>What a verified SET causes: each event acted on (or not) and recorded in the ledger.</summary>
    private async Task ActAsync(JsonElement set, string issuer, string jti, List<string> outcomes, CancellationToken cancellationToken)
    {
        foreach (var e in set.GetProperty("events").EnumerateObject())
        {
            var outcome = SsfEventTypes.Offboarding.Contains(e.Name, StringComparer.Ordinal)
                ? await OffboardAsync(set, e, issuer, jti, cancellationToken).ConfigureAwait(false)
                : "no action (event type not acted on)";
            await audit.AppendAsync(
                new AuditEvent
                {
                    Type = "ssf.set_received",
                    Actor = "ssf:" + issuer,
                    Subject = SubjectText(set, e.Value),
                    Action = e.Name,
                    Reason = outcome,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["issuer"] = issuer,
                        ["jti"] = jti,
                        ["event"] = e.Name,
                        ["outcome"] = outcome,
                    },
                },
                cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
        }
    }

    private async Task<(JsonElement? Set, SsfReceipt? Error)> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > MaxSetBytes)
        {
            return (null, SsfReceipt.Refused("invalid_request", $"The body must be one SET of at most {MaxSetBytes} bytes."));
        }

        var parts = token.Trim().Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET is not a compact signed JWT (three base64url parts); encrypted or unsigned SETs are not accepted."));
        }

        JsonElement header, payload;
        try
        {
            header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0])).RootElement.Clone();
            payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[1])).RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET's header or payload is not base64url JSON."));
        }

        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET's header and payload must be JSON objects."));
        }

        if (Text(header, "typ") is not { } typ || !string.Equals(typ, "secevent+jwt", StringComparison.OrdinalIgnoreCase) && !string.Equals(typ, "application/secevent+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET's typ must be secevent+jwt (RFC 8417)."));
        }

        if (Text(payload, "iss") is not { } issuer || !transmitters.TryGetValue(issuer, out var transmitter))
        {
            return (null, SsfReceipt.Refused("invalid_issuer", "The SET's iss is not a configured transmitter."));
        }

        var alg = Text(header, "alg");
        if (alg is null || !transmitter.EffectiveAlgorithms.Contains(alg, StringComparer.Ordinal))
        {
            return (null, SsfReceipt.Refused("invalid_key", $"The SET is signed with '{Clip(alg ?? "none")}'; this transmitter is pinned to {string.Join(", ", transmitter.EffectiveAlgorithms)}."));
        }

        if (Text(header, "kid") is not { } kid)
        {
            return (null, SsfReceipt.Refused("invalid_key", "The SET's header has no kid."));
        }

        if (header.TryGetProperty("crit", out _) || header.TryGetProperty("jku", out _) || header.TryGetProperty("jwk", out _) || header.TryGetProperty("x5u", out _))
        {
            return (null, SsfReceipt.Refused("invalid_key", "The SET names its own key or critical extensions (crit, jku, jwk, x5u); only the configured JWKS is trusted."));
        }

        var cache = keys.GetOrAdd(issuer, _ => new OidcJwksCache(
            new OidcIssuerOptions { Issuer = issuer, JwksUri = transmitter.JwksUri, Audience = transmitter.Audience }.WithAlgorithms(transmitter.EffectiveAlgorithms),
            http.Client,
            time));
        var lookup = await cache.FindAsync(kid, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is not { } key)
        {
            return (null, SsfReceipt.Refused("invalid_key", $"The SET's kid '{Clip(kid)}' is not in the transmitter's JWKS{(lookup.Problem is { } p ? " (" + p + ")" : string.Empty)}."));
        }

        byte[] signature;
        try
        {
            signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        }
        catch (FormatException)
        {
            return (null, SsfReceipt.Refused("invalid_key", "The SET's signature is not base64url."));
        }

        if (!key.Verify(alg, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature))
        {
            return (null, SsfReceipt.Refused("invalid_key", "The SET's signature does not verify with the transmitter's key."));
        }

        if (!Audiences(payload).Contains(transmitter.Audience, StringComparer.Ordinal))
        {
            return (null, SsfReceipt.Refused("invalid_audience", "The SET's aud does not name this receiver."));
        }

        var now = time.GetUtcNow();
        if (!payload.TryGetProperty("iat", out var iatValue) || iatValue.ValueKind != JsonValueKind.Number || !iatValue.TryGetInt64(out var iat))
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET has no numeric iat."));
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iat, 0, 253402300799));
        if (issuedAt > now + transmitter.ClockSkew || issuedAt < now - transmitter.MaxAge)
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET's iat is in the future or older than this receiver accepts."));
        }

        if (payload.TryGetProperty("exp", out var exp) && (exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expires) || DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expires, 0, 253402300799)) < now - transmitter.ClockSkew))
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET has expired."));
        }

        if (Text(payload, "jti") is not { Length: <= 256 })
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET has no jti (of at most 256 characters)."));
        }

        if (!payload.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object || !events.EnumerateObject().Any()
            || events.EnumerateObject().Any(e => e.Value.ValueKind != JsonValueKind.Object))
        {
            return (null, SsfReceipt.Refused("invalid_request", "The SET has no events object (each event a JSON object)."));
        }

        return (payload, null);
    }

    private async Task<string> OffboardAsync(JsonElement set, JsonProperty e, string issuer, string jti, CancellationToken cancellationToken)
    {
        var owners = Owners(set, e.Value).ToList();
        if (owners.Count == 0)
        {
            return "no action: the subject names no person (email, iss_sub or opaque id)";
        }

        var reason = $"Shared Signals: {e.Name[(e.Name.LastIndexOf('/') + 1)..]} from {issuer} (SET {jti})";
        var actor = "ssf:" + issuer;
        foreach (var owner in owners)
        {
            var (record, error) = await offboarding.OffboardAsync(new Governance.Offboarding.OffboardingRequest(owner, reason, null, null), actor, null, cancellationToken).ConfigureAwait(false);
            if (record is not null)
            {
                return $"owner {owner}: offboarded ({record.Id}, evidence signed)";
            }

            if (error?.Code == Governance.Reviews.ReviewErrorCodes.OwnerDeparted)
            {
                return $"no action: {owner} was offboarded already";
            }
        }

        return $"no action: no identity is owned by {string.Join(" or ", owners)}";
    }

    /// <summary>The owner names a subject may match: an email, an iss_sub's sub, an opaque id, an account URI's user; a complex subject's user.</summary>
    private static IEnumerable<string> Owners(JsonElement set, JsonElement e)
    {
        var subject = set.TryGetProperty("sub_id", out var s) && s.ValueKind == JsonValueKind.Object ? s
            : e.TryGetProperty("subject", out var legacy) && legacy.ValueKind == JsonValueKind.Object ? legacy
            : default;
        if (subject.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (Text(subject, "format") == "complex" && subject.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object)
        {
            subject = user;
        }

        switch (Text(subject, "format"))
        {
            case "email" when Text(subject, "email") is { } email:
                yield return email;
                if (!string.Equals(email, email.ToLowerInvariant(), StringComparison.Ordinal))
                {
                    yield return email.ToLowerInvariant();
                }

                break;
            case "iss_sub" when Text(subject, "sub") is { } sub:
                yield return sub;
                break;
            case "opaque" when Text(subject, "id") is { } id:
                yield return id;
                break;
            case "account" when Text(subject, "uri") is { } uri && uri.StartsWith("acct:", StringComparison.Ordinal):
                yield return uri["acct:".Length..];
                break;
        }
    }

    private static string? SubjectText(JsonElement set, JsonElement e) =>
        set.TryGetProperty("sub_id", out var s) && s.ValueKind == JsonValueKind.Object ? Clip(SsfSubjects.Key(s), 500)
        : e.TryGetProperty("subject", out var legacy) && legacy.ValueKind == JsonValueKind.Object ? Clip(SsfSubjects.Key(legacy), 500)
        : null;

    private static IEnumerable<string> Audiences(JsonElement payload) =>
        !payload.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)
        : [];

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text ? text : null;

    private static string Clip(string text, int max = 64) => text.Length > max ? text[..max] + "…" : text;
}

/// <summary>What the receiver made of a SET: accepted (and what it did), or refused with an RFC 8935 error.</summary>
internal sealed record SsfReceipt(bool Ok, string? Error, string? Description, IReadOnlyList<string> Outcomes)
{
    public static SsfReceipt Accepted(IReadOnlyList<string> outcomes) => new(true, null, null, outcomes);

    public static SsfReceipt Refused(string error, string description) => new(false, error, description, []);
}

/// <summary>Builds attestation issuer options (whose algorithm list is get-only) for the JWKS cache.</summary>
internal static class OidcIssuerOptionsAlgorithms
{
    public static OidcIssuerOptions WithAlgorithms(this OidcIssuerOptions options, IEnumerable<string> algorithms)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(algorithms);
        foreach (var algorithm in algorithms)
        {
            options.Algorithms.Add(algorithm);
        }

        return options;
    }
}
