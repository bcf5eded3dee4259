using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Protocol.AuthZen;
using Microsoft.Extensions.Options;

namespace Mandate.Client;

/// <summary>
/// A small cache of single-evaluation decisions, keyed by the request, labelled with the policy version and the
/// credential-state epoch the PDP decided it under (an entry is served only while both are still the latest the client
/// has seen, so any later answer after a revocation or a suspension retires it) and kept for a short time, never past
/// the expiry of the credential it was decided for.
/// <see cref="Revoke"/> drops every decision made for a credential, and the client calls it by itself when a fresh PDP
/// answer says a credential no longer verifies (revoked, expired, or its identity no longer active). An answer that
/// was in flight while decisions were revoked or cleared is never cached, so it cannot undo the revocation.
/// </summary>
/// <param name="options">The cache's size and how long a decision may be reused (<see cref="MandateClientOptions"/>).</param>
/// <param name="time">The clock entries expire by.</param>
public sealed class DecisionCache(IOptions<MandateClientOptions> options, TimeProvider time)
{
    // Deny reasons (context.reason) by which the PDP says the credential itself is dead, not just out of scope here.
    private static readonly string[] DeadCredentialReasons = ["invalid_token", "invalid_credential", "identity_inactive"];

    private readonly MandateClientOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock versionGate = new();
    private long generation;
    private long calls;
    private long latestCall;
    private string? latestVersion;
    private string? latestEpoch;

    /// <summary>How many decisions are cached now.</summary>
    public int Count => entries.Count;

    /// <summary>The PDP's policy version as of the most recently sent call that reported one.</summary>
    internal string? LatestPolicyVersion
    {
        get
        {
            lock (versionGate)
            {
                return latestVersion;
            }
        }
    }

    /// <summary>The PDP's credential-state epoch as of the most recently sent call that reported a policy version.</summary>
    internal string? LatestCredentialEpoch
    {
        get
        {
            lock (versionGate)
            {
                return latestEpoch;
            }
        }
    }

    /// <summary>Changes whenever decisions are revoked or cleared; an answer to a call begun under another value is not cached.</summary>
    internal long Generation => Interlocked.Read(ref generation);

    /// <summary>Forgets every decision made for this credential (the client also does so by itself when the PDP reports it dead).</summary>
    /// <param name="credential">The credential as sent in <c>context.credential</c>.</param>
    public void Revoke(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        Interlocked.Increment(ref generation);
        var hash = Hash(credential);
        foreach (var (key, entry) in entries)
        {
            if (entry.CredentialHash == hash)
            {
                entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Forgets every cached decision.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref generation);
        entries.Clear();
    }

    /// <summary>A ticket for a call about to be sent: later tickets carry the newer view of the PDP's policy version.</summary>
    internal long BeginCall() => Interlocked.Increment(ref calls);

    /// <summary>Records the policy version and credential epoch a call's answer reported, unless a call sent later already reported them.</summary>
    internal void ObservePolicyVersion(string? version, string? epoch, long ticket)
    {
        if (version is null)
        {
            return;
        }

        lock (versionGate)
        {
            if (ticket > latestCall)
            {
                latestCall = ticket;
                latestVersion = version;
                latestEpoch = epoch;
            }
        }
    }

    internal bool TryGet(string key, out EvaluationResponse response)
    {
        response = null!;
        string? policyVersion, epoch;
        lock (versionGate)
        {
            policyVersion = latestVersion;
            epoch = latestEpoch;
        }

        if (settings.CacheDuration <= TimeSpan.Zero || policyVersion is null || !entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (entry.PolicyVersion != policyVersion || entry.Epoch != epoch || entry.Expires <= time.GetUtcNow())
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            return false;
        }

        response = entry.Response;
        return true;
    }

    /// <summary>
    /// Caches an answer decided under <paramref name="decidedUnder"/> and <paramref name="epoch"/> for a call begun at
    /// <paramref name="generationAtStart"/>; nothing when decisions were revoked or cleared meanwhile, or the policy
    /// version or the credential epoch has moved on.
    /// </summary>
    internal void Set(string key, string? decidedUnder, string? epoch, string? credential, EvaluationResponse response, long generationAtStart)
    {
        if (settings.CacheDuration <= TimeSpan.Zero || decidedUnder is null || Generation != generationAtStart)
        {
            return;
        }

        lock (versionGate)
        {
            if (decidedUnder != latestVersion || epoch != latestEpoch)
            {
                return;
            }
        }

        var expires = time.GetUtcNow() + settings.CacheDuration;
        if (credential is not null && CredentialExpiry.Of(credential) is { } credentialExpires && credentialExpires < expires)
        {
            expires = credentialExpires;
        }

        if (entries.Count >= settings.CacheSize)
        {
            entries.Clear();
        }

        var entry = new Entry(decidedUnder, epoch, credential is null ? null : Hash(credential), expires, response);
        entries[key] = entry;

        // A revocation that began after the check above may have scanned before this entry was stored: take it back.
        if (Generation != generationAtStart)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    /// <summary>True when the PDP denied because the credential itself no longer verifies.</summary>
    internal static bool SaysCredentialIsDead(EvaluationResponse response) =>
        !response.Decision
        && response.Context is { ValueKind: JsonValueKind.Object } context
        && context.TryGetProperty("reason", out var reason)
        && reason.ValueKind == JsonValueKind.String
        && DeadCredentialReasons.Contains(reason.GetString(), StringComparer.Ordinal);

    internal static string KeyOf(EvaluationRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, AuthZenJsonContext.Default.EvaluationRequest)));

    internal static string? CredentialOf(EvaluationRequest request) =>
        request.Context is { ValueKind: JsonValueKind.Object } context
        && context.TryGetProperty("credential", out var credential)
        && credential.ValueKind == JsonValueKind.String
            ? credential.GetString()
            : null;

    private static string Hash(string credential) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential)));

    private sealed record Entry(string PolicyVersion, string? Epoch, string? CredentialHash, DateTimeOffset Expires, EvaluationResponse Response);
}
