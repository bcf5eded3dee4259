using System.Collections.Concurrent;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Credentials;

/// <summary>
/// Raises <c>detection.token_reuse</c> when a Mandate credential is presented after it was revoked or expired. At most
/// one event per credential per minute, so that a client retrying in a loop cannot flood the audit log.
/// </summary>
internal sealed class TokenReuseDetector(IMandateStore store, IAuditTrail audit, TimeProvider time)
{
    public const string EventType = "detection.token_reuse";
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> lastRaised = new(StringComparer.Ordinal);

    public async Task RaiseAsync(ValidatedToken token, TokenValidationFailure failure, string where, string? source, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var now = time.GetUtcNow();
        var key = token.Jti ?? token.Subject;
        if (lastRaised.TryGetValue(key, out var previous) && now - previous < Quiet)
        {
            return;
        }

        lastRaised[key] = now;
        if (lastRaised.Count > 10_000)
        {
            foreach (var (k, at) in lastRaised)
            {
                if (now - at >= Quiet)
                {
                    lastRaised.TryRemove(k, out _);
                }
            }
        }

        var reason = failure switch
        {
            TokenValidationFailure.Revoked => "revoked",
            TokenValidationFailure.IdentityInactive => "identity_inactive",
            _ => "expired",
        };
        try
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = EventType,
                    Actor = token.Chain.Current?.Subject ?? token.Subject,
                    Subject = token.Subject,
                    Chain = token.Chain.Subjects,
                    Action = where,
                    Decision = "deny",
                    CredentialId = token.Jti,
                    TaskId = token.TaskId,
                    Reason = failure == TokenValidationFailure.IdentityInactive
                        ? "a credential of an identity that is no longer active was presented"
                        : $"a {reason} credential was presented again",
                    RequestId = requestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["state"] = reason,
                        ["expired_at"] = token.ExpiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["source"] = source ?? "unknown",
                    },
                },
                cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException)
        {
            // The presentation is denied either way; a store outage is reported by readiness, not by failing the caller.
            lastRaised.TryRemove(key, out _);
        }
    }
}
