using Mandate.Core.Audit;
using Mandate.Core.DynamicCredentials;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.X509;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;

namespace Mandate.Core.Credentials;

/// <summary>
/// Revokes credentials and everything derived from them by exchange: store, audit and the in-memory set change in
/// one step, and other nodes hear of it at commit. The in-memory set is updated before the commit: if the commit
/// fails, the set is stricter than the store until the next reconcile, never looser.
/// </summary>
internal sealed class RevocationService(
    IMandateStore store,
    IAuditTrail audit,
    IRevocationSet revocations,
    TimeProvider time,
    Telemetry.MandateMetrics? metrics = null,
    DynamicCredentialTaskEnd? dynamicCredentials = null)
{
    /// <summary>Revokes in a session of its own.</summary>
    public async Task<RevocationOutcome?> RevokeAsync(string targetKind, string target, string? reason, string revokedBy, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var outcome = await RevokeAsync(session, targetKind, target, reason, revokedBy, requestId, cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return null;
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Revokes a presented, genuine Mandate token by its <c>jti</c>. Task and exchanged tokens are in the store from
    /// their issuance; a JWT-SVID is not (issuance records only an audit event), so it is entered as a credential of
    /// kind <c>svid</c> first: the revocation set, the periodic reconcile and other nodes then treat it like any other.
    /// </summary>
    public async Task<RevocationOutcome?> RevokePresentedAsync(ValidatedToken token, string? reason, string revokedBy, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token is not { IsMandateIssued: true, Jti: { } jti })
        {
            return null;
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var credentials = session.Get<ICredentialRepository>();
        if (token.Kind == CredentialKinds.Svid && await credentials.GetAsync(jti, cancellationToken).ConfigureAwait(false) is null)
        {
            await credentials.InsertAsync(
                new CredentialRecord
                {
                    Jti = jti,
                    Kind = CredentialKinds.Svid,
                    Subject = token.Subject,
                    Holder = token.Subject,
                    Audiences = token.Audiences,
                    IssuedAt = token.IssuedAt ?? token.NotBefore ?? time.GetUtcNow(),
                    ExpiresAt = token.ExpiresAt,
                },
                cancellationToken).ConfigureAwait(false);
        }

        var outcome = await RevokeAsync(session, RevocationTargetKind.Credential, jti, reason, revokedBy, requestId, cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return null;
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Revokes inside the caller's session (the caller commits). Null when the target does not exist.</summary>
    public async Task<RevocationOutcome?> RevokeAsync(IStoreSession session, string targetKind, string target, string? reason, string revokedBy, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var credentials = session.Get<ICredentialRepository>();
        IReadOnlyCollection<string> roots;
        switch (targetKind)
        {
            case RevocationTargetKind.Credential:
                if (await credentials.GetAsync(target, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                roots = [target];
                break;
            case RevocationTargetKind.Task:
                if (await session.Get<ITaskRepository>().GetAsync(target, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                roots = (await credentials.ListByTaskAsync(target, cancellationToken).ConfigureAwait(false)).Select(c => c.Jti).ToList();
                break;
            case RevocationTargetKind.Identity:
                roots = await credentials.ListJtisHeldByAsync([target], cancellationToken).ConfigureAwait(false);
                break;
            case RevocationTargetKind.Owner:
                var owned = await OwnedIdentitiesAsync(session, target, cancellationToken).ConfigureAwait(false);
                roots = owned.Count == 0 ? [] : await credentials.ListJtisHeldByAsync(owned, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(targetKind), targetKind, $"A revocation target is one of {string.Join(", ", RevocationTargetKind.All)}.");
        }

        return await RevokeRootsAsync(session, targetKind, target, roots, reason, revokedBy, requestId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes the unexpired X.509-SVIDs of <paramref name="spiffeId"/> inside the caller's session (the caller commits):
    /// what an identity's suspension, revocation or offboarding does, since a relying party that validates the
    /// certificate with the trust bundle never sees the identity's status, only the CRL. Null when it holds none.
    /// </summary>
    public async Task<RevocationOutcome?> RevokeX509SvidsAsync(IStoreSession session, string spiffeId, string reason, string revokedBy, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var live = await session.Get<IX509CrlRepository>().ListLiveJtisAsync(spiffeId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return live.Count == 0
            ? null
            : await RevokeRootsAsync(session, RevocationTargetKind.Identity, spiffeId, live, reason, revokedBy, requestId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RevocationOutcome> RevokeRootsAsync(IStoreSession session, string targetKind, string target, IReadOnlyCollection<string> roots, string? reason, string revokedBy, string? requestId, CancellationToken cancellationToken)
    {
        var credentials = session.Get<ICredentialRepository>();
        roots = await WithCertificateBoundAsync(session, credentials, roots, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var why = string.IsNullOrWhiteSpace(reason) ? $"{targetKind} revoked" : reason;
        var revoked = roots.Count == 0 ? [] : await credentials.RevokeWithDescendantsAsync(roots, now, why, revokedBy, cancellationToken).ConfigureAwait(false);
        var entry = new RevocationEntry("rev_" + CompactJti.New(), targetKind, target, reason, revokedBy, now, revoked.Count);
        await session.Get<IRevocationLogRepository>().AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        await audit.RecordManyAsync(session, RevocationEvents(entry, why, requestId, revoked), cancellationToken).ConfigureAwait(false);
        var jtis = revoked.Select(c => c.Jti).ToList();
        await credentials.NotifyRevokedAsync(jtis, cancellationToken).ConfigureAwait(false);
        revocations.Add(jtis);
        metrics?.Revoked(targetKind, jtis.Count);
        if (dynamicCredentials is not null)
        {
            // A task that ends here takes its downstream credentials with it (removed once this transaction commits).
            await dynamicCredentials.OnRevokedAsync(session, targetKind, target, revoked, why, now, cancellationToken).ConfigureAwait(false);
        }

        return new RevocationOutcome(entry, jtis);
    }

    /// <summary>
    /// An identity left the active state (inside the caller's session): the dynamic credentials issued to it go too. Its
    /// Mandate credentials need no revocation (the verifier refuses an inactive identity's), but a password minted in a
    /// downstream system knows nothing of Mandate.
    /// </summary>
    public Task IdentityDeactivatedAsync(IStoreSession session, string spiffeId, string reason, CancellationToken cancellationToken) =>
        dynamicCredentials is null
            ? Task.CompletedTask
            : dynamicCredentials.OnIdentityInactiveAsync(session, spiffeId, reason, time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// A credential bound to an X.509-SVID (<c>cnf.x5t#S256</c>, opened over mutual TLS) falls with it: whoever holds the
    /// revoked certificate's key must not keep acting with a token bound to that key.
    /// </summary>
    private static async Task<IReadOnlyCollection<string>> WithCertificateBoundAsync(IStoreSession session, ICredentialRepository credentials, IReadOnlyCollection<string> roots, CancellationToken cancellationToken)
    {
        List<string>? thumbprints = null;
        foreach (var jti in roots)
        {
            if (jti.StartsWith(CredentialKinds.X509SvidJti(string.Empty), StringComparison.Ordinal)
                && await credentials.GetAsync(jti, cancellationToken).ConfigureAwait(false) is { Kind: CredentialKinds.X509Svid, ProofOfPossession: { } bound })
            {
                (thumbprints ??= []).Add(bound.Thumbprint);
            }
        }

        if (thumbprints is null)
        {
            return roots;
        }

        var dependents = await session.Get<IX509CrlRepository>().ListBoundJtisAsync(thumbprints, cancellationToken).ConfigureAwait(false);
        return dependents.Count == 0 ? roots : roots.Concat(dependents).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One <c>credential.revoked</c> event per credential the revocation reached, each carrying its <c>jti</c> in the
    /// indexed column (so a query, a timeline or an export by <c>jti</c> finds every one) and the shared cause: the
    /// revocation id and its target. A credential exchanged from another one this revocation also reached names that
    /// parent as <c>cause_jti</c> (the lineage of the cascade). A revocation that reached nothing still leaves one event,
    /// without a <c>jti</c>.
    /// </summary>
    private static List<AuditEvent> RevocationEvents(RevocationEntry entry, string why, string? requestId, IReadOnlyList<RevokedCredential> revoked)
    {
        var cause = $"{entry.TargetKind}:{entry.Target}";
        var count = revoked.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (revoked.Count == 0)
        {
            return
            [
                new AuditEvent
                {
                    Type = "credential.revoked",
                    Actor = entry.RevokedBy,
                    Subject = entry.TargetKind is RevocationTargetKind.Identity ? entry.Target : null,
                    Action = "revoke",
                    Resource = cause,
                    TaskId = entry.TargetKind == RevocationTargetKind.Task ? entry.Target : null,
                    Reason = why,
                    RequestId = requestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["revocation_id"] = entry.Id,
                        ["cause"] = cause,
                        ["count"] = count,
                    },
                },
            ];
        }

        var reached = revoked.Select(c => c.Jti).ToHashSet(StringComparer.Ordinal);
        var events = new List<AuditEvent>(revoked.Count);
        foreach (var credential in revoked)
        {
            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["revocation_id"] = entry.Id,
                ["cause"] = cause,
                ["count"] = count,
            };
            if (credential.ParentJti is { } parent && reached.Contains(parent))
            {
                details["cause_jti"] = parent;
            }

            events.Add(new AuditEvent
            {
                Type = "credential.revoked",
                Actor = entry.RevokedBy,
                Subject = credential.Subject,
                Action = "revoke",
                Resource = cause,
                CredentialId = credential.Jti,
                TaskId = credential.TaskId,
                Reason = why,
                RequestId = requestId,
                Details = details,
            });
        }

        return events;
    }

    private static async Task<IReadOnlyList<string>> OwnedIdentitiesAsync(IStoreSession session, string owner, CancellationToken cancellationToken)
    {
        var identities = session.Get<IIdentityRepository>();
        var result = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await identities.ListAsync(new IdentityQuery { Owner = owner, After = after, Limit = 500 }, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Select(i => i.SpiffeId));
            if (page.Count < 500)
            {
                return result;
            }

            after = page[^1].SpiffeId;
        }
    }
}
