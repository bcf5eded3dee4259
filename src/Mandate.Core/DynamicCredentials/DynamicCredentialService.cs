using System.Globalization;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Mandate.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// Issues task-bound credentials in downstream systems (after a Cedar <c>IssueDynamicCredential</c> decision) and
/// removes them when their task ends. The lease is recorded before the engine creates anything, so a credential is
/// never made that Mandate does not know to remove; the password is handed to the caller and kept nowhere.
/// </summary>
internal sealed partial class DynamicCredentialService(
    IMandateStore store,
    IAuditTrail audit,
    IPolicyDecisionPoint decisions,
    DynamicCredentialEngines engines,
    DynamicCredentialSignal signal,
    IOptionsMonitor<DynamicCredentialOptions> options,
    IOptionsMonitor<TaskOptions> taskOptions,
    TimeProvider time,
    ILogger<DynamicCredentialService> logger,
    MandateMetrics? metrics = null)
{
    /// <summary>How long a lease may stay "issuing" before the revoker treats it as abandoned (a node stopped mid-way).</summary>
    private static readonly TimeSpan AbandonedIssuing = TimeSpan.FromMinutes(5);

    public IReadOnlyCollection<string> EngineNames => engines.Names;

    /// <summary>
    /// Issues a credential of <paramref name="engineName"/> for task <paramref name="taskId"/> to its holder
    /// <paramref name="subject"/> (verified by the caller from the task's own credential, <paramref name="credentialJti"/>).
    /// </summary>
    public async Task<DynamicCredentialOutcome> IssueAsync(string taskId, string subject, string credentialJti, string engineName, string? requestId, CancellationToken cancellationToken)
    {
        if (engines.Find(engineName) is not { } engine)
        {
            return DynamicCredentialOutcome.Fail(DynamicCredentialErrorCodes.EngineNotFound, $"There is no dynamic credential engine '{engineName}' configured.");
        }

        var now = Now();
        MandateTask? task;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            task = await read.Get<ITaskRepository>().GetAsync(taskId, cancellationToken).ConfigureAwait(false);
        }

        if (task is null || task.Subject != subject)
        {
            return DynamicCredentialOutcome.Fail(TaskErrorCodes.NotFound, $"There is no task {taskId}.");
        }

        if (!task.IsOpen || task.ExpiresAt <= now)
        {
            return DynamicCredentialOutcome.Fail(TaskErrorCodes.NotOpen, $"Task {taskId} is {(task.IsOpen ? "past its lease" : task.Status)}.");
        }

        var settings = options.CurrentValue;
        var tasks = taskOptions.CurrentValue;
        var decision = await decisions.DecideAsync(
            new DecisionRequest(
                new EntityUid(tasks.PrincipalEntityType, subject),
                new EntityUid(tasks.ActionEntityType, settings.IssueAction),
                new EntityUid(settings.EngineEntityType, engine.Name),
                new Dictionary<string, CedarValue>(StringComparer.Ordinal)
                {
                    ["task"] = TaskValue(task, now),
                    ["engine_kind"] = CedarValue.String(engine.Kind),
                })
            {
                RequestId = requestId,
                TaskId = taskId,
                CredentialId = credentialJti,
                Caller = subject,
            },
            cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            var why = decision.Errors.Count > 0
                ? string.Join("; ", decision.Errors.Select(e => $"{e.PolicyId}: {e.Message}"))
                : decision.Reasons.Count > 0 ? "forbidden by " + string.Join(", ", decision.Reasons) : "no policy permits it";
            return DynamicCredentialOutcome.Fail(DynamicCredentialErrorCodes.Denied, $"A {engine.Name} credential for task {taskId} was denied ({why}); decision {decision.DecisionId}.") with { Reasons = decision.Reasons };
        }

        var lease = new DynamicCredentialLease
        {
            Id = "dcl_" + CompactJti.New(),
            TaskId = taskId,
            Subject = subject,
            Engine = engine.Name,
            Username = engine.NewUsername(taskId),
            Status = DynamicCredentialLeaseStatus.Issuing,
            IssuedAt = now,
            ExpiresAt = task.ExpiresAt < now + engine.MaxTtl ? task.ExpiresAt : now + engine.MaxTtl,
        };

        // Recorded first, under the task's lock: a task that ends from here on marks this lease too.
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var current = await session.Get<ITaskRepository>().GetForUpdateAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (current is null || !current.IsOpen || current.ExpiresAt <= now)
            {
                return DynamicCredentialOutcome.Fail(TaskErrorCodes.NotOpen, $"Task {taskId} ended while the credential was being decided.");
            }

            await session.Get<IDynamicCredentialLeaseRepository>().InsertAsync(lease, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        DynamicCredentialSecret secret;
        try
        {
            secret = await engine.IssueAsync(new DynamicCredentialRequest(lease.Username, taskId, lease.ExpiresAt), cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any engine failure is answered and the half-made credential queued for removal.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogIssueFailed(logger, engine.Name, taskId, e.GetType().Name);
            await RequeueAsync(lease.Id, "issuing failed", Describe(e), "dynamic_credential.issue_failed", subject, requestId).ConfigureAwait(false);
            metrics?.DynamicCredential(engine.Name, MandateMetrics.DynamicCredentialOutcomes.IssueFailed);
            return DynamicCredentialOutcome.Fail(DynamicCredentialErrorCodes.EngineFailed, $"The {engine.Name} engine could not create the credential ({Describe(e)}).");
        }

        // Finished: active, unless the task ended meanwhile (then it goes at once, and the caller gets nothing).
        var finish = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
        await using (finish.ConfigureAwait(false))
        {
            var leases = finish.Get<IDynamicCredentialLeaseRepository>();
            var current = await leases.GetForUpdateAsync(lease.Id, CancellationToken.None).ConfigureAwait(false);
            if (current is { Status: DynamicCredentialLeaseStatus.Issuing })
            {
                var active = current with { Status = DynamicCredentialLeaseStatus.Active };
                await leases.UpdateAsync(active, CancellationToken.None).ConfigureAwait(false);
                await audit.RecordAsync(finish, LeaseEvent("dynamic_credential.issued", active, subject, requestId, new()
                {
                    ["expires_at"] = active.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    ["decision_id"] = decision.DecisionId,
                    ["engine_kind"] = engine.Kind,
                }) with { CredentialId = credentialJti, PolicyVersion = decision.PolicyVersion }, CancellationToken.None).ConfigureAwait(false);
                await finish.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                metrics?.DynamicCredential(engine.Name, MandateMetrics.DynamicCredentialOutcomes.Issued);
                return new DynamicCredentialOutcome(active, secret, null, null);
            }
        }

        await RequeueAsync(lease.Id, "task ended while the credential was being issued", null, null, subject, requestId).ConfigureAwait(false);
        return DynamicCredentialOutcome.Fail(TaskErrorCodes.NotOpen, $"Task {taskId} ended while the credential was being issued; it was removed again.");
    }

    public async Task<IReadOnlyList<DynamicCredentialLease>> ListAsync(string? taskId, string? status, int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IDynamicCredentialLeaseRepository>().ListAsync(taskId, status, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks leases past their own expiry, and abandoned issuing ones, for removal; returns how many.</summary>
    public async Task<int> RequestStaleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var marked = await session.Get<IDynamicCredentialLeaseRepository>().RequestRevocationOfStaleAsync(now, now - AbandonedIssuing, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return marked;
    }

    /// <summary>
    /// Removes every credential whose removal is due, each claimed first so that concurrent nodes attempt it once. A
    /// failure (downstream unreachable) leaves it pending with a backoff; returns how many were removed.
    /// </summary>
    public async Task<int> RevokeDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        IReadOnlyList<DynamicCredentialLease> due;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            due = await read.Get<IDynamicCredentialLeaseRepository>().ListRevocationsDueAsync(now, 100, cancellationToken).ConfigureAwait(false);
        }

        var removed = 0;
        foreach (var lease in due)
        {
            var (claimed, failure) = await ClaimAndRunAsync(
                lease,
                leases => leases.ClaimRevocationAsync(lease.Id, now, now + settings.AttemptTimeout, cancellationToken),
                engine => engine.RevokeAsync(lease.Username, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            if (!claimed)
            {
                continue;
            }

            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var leases = session.Get<IDynamicCredentialLeaseRepository>();
            var current = await leases.GetForUpdateAsync(lease.Id, cancellationToken).ConfigureAwait(false);
            if (current is not { Status: DynamicCredentialLeaseStatus.Revoking })
            {
                continue;
            }

            var at = time.GetUtcNow();
            if (failure is null)
            {
                var done = current with { Status = DynamicCredentialLeaseStatus.Revoked, RevokedAt = at, NextAttemptAt = null, LastError = null };
                await leases.UpdateAsync(done, cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(session, LeaseEvent("dynamic_credential.revoked", done, "system", null, new()
                {
                    ["attempts"] = (done.Attempts + 1).ToString(CultureInfo.InvariantCulture),
                }) with { Reason = done.RevokeReason }, cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                metrics?.DynamicCredential(lease.Engine, MandateMetrics.DynamicCredentialOutcomes.Revoked);
                removed++;
            }
            else
            {
                var attempts = current.Attempts + 1;
                var pause = Backoff(attempts, settings);
                var pending = current with { Attempts = attempts, NextAttemptAt = at + pause, LastError = failure };
                await leases.UpdateAsync(pending, cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(session, LeaseEvent("dynamic_credential.revocation_failed", pending, "system", null, new()
                {
                    ["attempts"] = attempts.ToString(CultureInfo.InvariantCulture),
                    ["error"] = failure,
                    ["next_attempt_at"] = pending.NextAttemptAt!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                }) with { Reason = current.RevokeReason }, cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                metrics?.DynamicCredential(lease.Engine, MandateMetrics.DynamicCredentialOutcomes.RevocationFailed);
                LogRevocationFailed(logger, lease.Engine, lease.Username, attempts, failure, pause);
            }
        }

        return removed;
    }

    /// <summary>
    /// Moves downstream the end of every active credential whose task was renewed (<see cref="DynamicCredentialTaskRenewal"/>
    /// set its new end and made the extension due), each claimed first like a removal. A failure leaves the extension
    /// pending with the removal's backoff and is recorded; returns how many were extended.
    /// </summary>
    public async Task<int> ExtendDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        IReadOnlyList<DynamicCredentialLease> due;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            due = await read.Get<IDynamicCredentialLeaseRepository>().ListExtensionsDueAsync(now, 100, cancellationToken).ConfigureAwait(false);
        }

        var extended = 0;
        foreach (var lease in due)
        {
            var (claimed, failure) = await ClaimAndRunAsync(
                lease,
                leases => leases.ClaimExtensionAsync(lease.Id, now, now + settings.AttemptTimeout, cancellationToken),
                engine => engine.ExtendAsync(lease.Username, lease.ExpiresAt, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            if (!claimed)
            {
                continue;
            }

            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var leases = session.Get<IDynamicCredentialLeaseRepository>();
            var current = await leases.GetForUpdateAsync(lease.Id, cancellationToken).ConfigureAwait(false);
            if (current is not { Status: DynamicCredentialLeaseStatus.Active })
            {
                // The task ended meanwhile: the removal takes over.
                continue;
            }

            var at = time.GetUtcNow();
            if (failure is null)
            {
                // A renewal during the attempt moved the end again and made it due again: that one is still to do.
                var settled = current.ExpiresAt == lease.ExpiresAt
                    ? current with { Attempts = 0, NextAttemptAt = null, LastError = null }
                    : current;
                await leases.UpdateAsync(settled, cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(session, LeaseEvent("dynamic_credential.extended", current, "system", null, new()
                {
                    ["expires_at"] = lease.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    ["attempts"] = (current.Attempts + 1).ToString(CultureInfo.InvariantCulture),
                }), cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                metrics?.DynamicCredential(lease.Engine, MandateMetrics.DynamicCredentialOutcomes.Extended);
                extended++;
            }
            else
            {
                var attempts = current.Attempts + 1;
                var pause = Backoff(attempts, settings);
                var pending = current with { Attempts = attempts, NextAttemptAt = at + pause, LastError = failure };
                await leases.UpdateAsync(pending, cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(session, LeaseEvent("dynamic_credential.extension_failed", pending, "system", null, new()
                {
                    ["expires_at"] = lease.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    ["attempts"] = attempts.ToString(CultureInfo.InvariantCulture),
                    ["error"] = failure,
                    ["next_attempt_at"] = pending.NextAttemptAt!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                }), cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                metrics?.DynamicCredential(lease.Engine, MandateMetrics.DynamicCredentialOutcomes.ExtensionFailed);
                LogExtensionFailed(logger, lease.Engine, lease.Username, attempts, failure, pause);
            }
        }

        return extended;
    }

    /// <summary>
    /// Claims <paramref name="lease"/> for this node in a transaction of its own (false when another node holds it), then
    /// runs the downstream step on its engine: the failure to record, or null when it worked. A downstream failure
    /// never stops the revoker: the removal or extension stays pending and is retried.
    /// </summary>
    private async Task<(bool Claimed, string? Failure)> ClaimAndRunAsync(
        DynamicCredentialLease lease,
        Func<IDynamicCredentialLeaseRepository, Task<bool>> claim,
        Func<IDynamicCredentialEngine, Task> step,
        CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (!await claim(session.Get<IDynamicCredentialLeaseRepository>()).ConfigureAwait(false))
            {
                return (false, null);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (engines.Find(lease.Engine) is not { } engine)
        {
            return (true, $"the engine '{lease.Engine}' is no longer configured");
        }

        try
        {
            await step(engine).ConfigureAwait(false);
            return (true, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A downstream failure must not stop the revoker: it stays pending and is retried.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (true, Describe(e));
        }
    }

    /// <summary>Puts a lease back in the removal queue, due now (and wakes the revoker), optionally recording why.</summary>
    private async Task RequeueAsync(string leaseId, string reason, string? error, string? eventType, string subject, string? requestId)
    {
        var session = await store.BeginAsync(StoreIntent.Write, CancellationToken.None).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var leases = session.Get<IDynamicCredentialLeaseRepository>();
        if (await leases.GetForUpdateAsync(leaseId, CancellationToken.None).ConfigureAwait(false) is not { } current)
        {
            return;
        }

        var now = time.GetUtcNow();
        var queued = current with
        {
            Status = DynamicCredentialLeaseStatus.Revoking,
            RevokeRequestedAt = current.RevokeRequestedAt ?? now,
            RevokeReason = current.RevokeReason ?? reason,
            RevokedAt = null,
            NextAttemptAt = now,
        };
        await leases.UpdateAsync(queued, CancellationToken.None).ConfigureAwait(false);
        if (eventType is not null)
        {
            await audit.RecordAsync(session, LeaseEvent(eventType, queued, subject, requestId, error is null ? [] : new() { ["error"] = error }), CancellationToken.None).ConfigureAwait(false);
        }

        session.OnCommitted(signal.Nudge);
        await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static TimeSpan Backoff(int attempts, DynamicCredentialOptions settings)
    {
        var seconds = Math.Min(settings.MaxRetryBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts, 20)));
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// An engine error as recorded: its kind and message. Engines never put the connection string or a password in an
    /// exception message (Npgsql names host and port at most), and nothing else reaches here.
    /// </summary>
    private static string Describe(Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        return $"{e.GetType().Name}: {(message.Length > 300 ? message[..300] : message)}";
    }

    private static CedarValue TaskValue(MandateTask task, DateTimeOffset now) => CedarValue.Record(
    [
        new("id", CedarValue.String(task.Id)),
        new("description", CedarValue.String(task.Intent.Description)),
        new("actions", CedarValue.Set(task.Intent.Actions.Select(CedarValue.String))),
        new("resources", CedarValue.Set(task.Intent.Resources.Select(CedarValue.String))),
        new("sensitivity_ceiling", CedarValue.String(task.Intent.SensitivityCeiling.ToName())),
        new("sensitivity_ceiling_level", CedarValue.Long((long)task.Intent.SensitivityCeiling)),
        new("destinations", CedarValue.Set(task.Intent.Destinations.Select(CedarValue.String))),
        new("ttl_seconds", CedarValue.Long(Math.Max(0, (long)(task.ExpiresAt - now).TotalSeconds))),
    ]);

    private static AuditEvent LeaseEvent(string type, DynamicCredentialLease lease, string actor, string? requestId, Dictionary<string, string> details)
    {
        details["lease_id"] = lease.Id;
        details["engine"] = lease.Engine;
        details["username"] = lease.Username;
        return new AuditEvent
        {
            Type = type,
            Actor = actor,
            Subject = lease.Subject,
            Action = type,
            Resource = "dynamic_credential:" + lease.Engine + "/" + lease.Username,
            TaskId = lease.TaskId,
            RequestId = requestId,
            Details = details,
        };
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "The {Engine} engine could not create a credential for task {TaskId} ({ErrorKind}); the lease is queued for removal")]
    private static partial void LogIssueFailed(ILogger logger, string engine, string taskId, string errorKind);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Removing dynamic credential {Username} of engine {Engine} failed (attempt {Attempts}: {Error}); retrying in {Pause}")]
    private static partial void LogRevocationFailed(ILogger logger, string engine, string username, int attempts, string error, TimeSpan pause);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Extending dynamic credential {Username} of engine {Engine} after its task's renewal failed (attempt {Attempts}: {Error}); retrying in {Pause}")]
    private static partial void LogExtensionFailed(ILogger logger, string engine, string username, int attempts, string error, TimeSpan pause);
}
