using Mandate.Core.Credentials;
using Mandate.Core.Storage;

namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// The one place a task's end reaches its dynamic credentials. Every way a task ends goes through the revocation of its
/// credentials (<see cref="RevocationService"/>: completion, expiry by the sweeper, revocation of the task, of its
/// identity, of its owner's identities, offboarding, a detection's response) or through its identity leaving the active
/// state; each marks the task's leases for removal in the same transaction, and this node's revoker is woken when it
/// commits. The removal itself happens outside the transaction (the downstream system may be slow or down).
/// </summary>
internal sealed class DynamicCredentialTaskEnd(DynamicCredentialSignal signal)
{
    /// <summary>
    /// After a revocation inside <paramref name="session"/>: the revoked task's leases, or, for any other target, the
    /// leases of every task the revocation left without a live task credential (a renewal's superseded credential does
    /// not end its task: the renewal's new one is live).
    /// </summary>
    public async Task OnRevokedAsync(IStoreSession session, string targetKind, string target, IReadOnlyList<RevokedCredential> revoked, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(revoked);
        var leases = session.Get<IDynamicCredentialLeaseRepository>();
        var marked = 0;
        if (targetKind == RevocationTargetKind.Task)
        {
            marked += await leases.RequestRevocationForTaskAsync(target, now, reason, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var credentials = session.Get<ICredentialRepository>();
            foreach (var taskId in revoked.Select(c => c.TaskId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var remaining = await credentials.ListByTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
                if (!remaining.Any(c => c.Kind == CredentialKinds.Task && c.RevokedAt is null && c.ExpiresAt > now))
                {
                    marked += await leases.RequestRevocationForTaskAsync(taskId, now, reason, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        Announce(session, marked);
    }

    /// <summary>An identity was suspended, revoked or offboarded: every lease issued to it goes (its tasks cannot go on).</summary>
    public async Task OnIdentityInactiveAsync(IStoreSession session, string spiffeId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var marked = await session.Get<IDynamicCredentialLeaseRepository>().RequestRevocationForSubjectAsync(spiffeId, now, reason, cancellationToken).ConfigureAwait(false);
        Announce(session, marked);
    }

    private void Announce(IStoreSession session, int marked)
    {
        if (marked > 0)
        {
            session.OnCommitted(signal.Nudge);
        }
    }
}
