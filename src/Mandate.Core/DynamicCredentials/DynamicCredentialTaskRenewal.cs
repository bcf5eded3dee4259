using Mandate.Core.Storage;

namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// The one place a task's renewal reaches its dynamic credentials: inside the renewal's transaction, every issuing or
/// active lease of the task gets the new end (the task's new lease end, capped at the engine's <c>MaxTtl</c> from the
/// credential's issuance) and an extension due now; this node's revoker is woken when it commits and moves the
/// credential's end downstream (<see cref="DynamicCredentialService.ExtendDueAsync"/>), retrying a failure like a removal.
/// </summary>
internal sealed class DynamicCredentialTaskRenewal(DynamicCredentialSignal signal, DynamicCredentialEngines engines)
{
    public async Task OnRenewedAsync(IStoreSession session, string taskId, DateTimeOffset taskExpiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (engines.Names.Count == 0)
        {
            // No engine configured (the default): no lease can be extended, so a renewal costs no query.
            return;
        }

        var leases = session.Get<IDynamicCredentialLeaseRepository>();
        var extended = 0;
        foreach (var listed in await leases.ListAsync(taskId, null, 1000, cancellationToken).ConfigureAwait(false))
        {
            if (listed.Status is not (DynamicCredentialLeaseStatus.Issuing or DynamicCredentialLeaseStatus.Active) || engines.Find(listed.Engine) is not { } engine)
            {
                // An engine no longer configured cannot say how long its credentials may live; they keep their end.
                continue;
            }

            // Under the lease's lock, so that an extension or removal finishing concurrently sees this one.
            if (await leases.GetForUpdateAsync(listed.Id, cancellationToken).ConfigureAwait(false) is not { Status: DynamicCredentialLeaseStatus.Issuing or DynamicCredentialLeaseStatus.Active } lease)
            {
                continue;
            }

            var cap = lease.IssuedAt + engine.MaxTtl;
            var end = taskExpiresAt < cap ? taskExpiresAt : cap;
            if (end <= lease.ExpiresAt)
            {
                continue;
            }

            // An issuing lease keeps its extension due: the revoker applies it once the credential is active.
            await leases.UpdateAsync(lease with { ExpiresAt = end, NextAttemptAt = now, Attempts = 0, LastError = null }, cancellationToken).ConfigureAwait(false);
            extended++;
        }

        if (extended > 0)
        {
            session.OnCommitted(signal.Nudge);
        }
    }
}
