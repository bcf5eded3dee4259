using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Mandate.Protocol.AuthZen;
using Microsoft.Extensions.Options;

namespace Mandate.Client;

/// <summary>
/// A small cache of single-evaluation decisions, keyed by the request and valid only under the policy version it was
/// decided with (a response announcing another version makes every older entry a miss) and for a short time.
/// <see cref="Revoke"/> drops every decision made for a credential, so a revocation takes effect at once.
/// </summary>
/// <param name="options">The cache's size and how long a decision may be reused (<see cref="MandateClientOptions"/>).</param>
/// <param name="time">The clock entries expire by.</param>
public sealed class DecisionCache(IOptions<MandateClientOptions> options, TimeProvider time)
{
    private readonly MandateClientOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>How many decisions are cached now.</summary>
    public int Count => entries.Count;

    /// <summary>Forgets every decision made for this credential (call when it is revoked).</summary>
    public void Revoke(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
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
    public void Clear() => entries.Clear();

    internal bool TryGet(string key, string? policyVersion, out EvaluationResponse response)
    {
        response = null!;
        if (settings.CacheDuration <= TimeSpan.Zero || policyVersion is null || !entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        if (entry.PolicyVersion != policyVersion || entry.Expires <= time.GetUtcNow())
        {
            entries.TryRemove(key, out _);
            return false;
        }

        response = entry.Response;
        return true;
    }

    internal void Set(string key, string? policyVersion, string? credential, EvaluationResponse response)
    {
        if (settings.CacheDuration <= TimeSpan.Zero || policyVersion is null)
        {
            return;
        }

        if (entries.Count >= settings.CacheSize)
        {
            entries.Clear();
        }

        entries[key] = new Entry(policyVersion, credential is null ? null : Hash(credential), time.GetUtcNow() + settings.CacheDuration, response);
    }

    internal static string KeyOf(EvaluationRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, AuthZenJsonContext.Default.EvaluationRequest)));

    internal static string? CredentialOf(EvaluationRequest request) =>
        request.Context is { ValueKind: JsonValueKind.Object } context
        && context.TryGetProperty("credential", out var credential)
        && credential.ValueKind == JsonValueKind.String
            ? credential.GetString()
            : null;

    private static string Hash(string credential) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential)));

    private sealed record Entry(string PolicyVersion, string? CredentialHash, DateTimeOffset Expires, EvaluationResponse Response);
}
