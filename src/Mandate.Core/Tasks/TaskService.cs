using System.Globalization;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Core.Delegation;
using Mandate.Core.DynamicCredentials;
using Mandate.Core.Storage;
using Mandate.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tasks;

/// <summary>
/// Opens tasks (after a Cedar <c>OpenTask</c> decision) with a credential whose lifetime is the task's lease, renews
/// leases up to their limit, and closes tasks — completed by their owner or expired by the sweeper — revoking every
/// credential issued for them or derived from those by exchange.
/// </summary>
internal sealed class TaskService
{
    private readonly IMandateStore store;
    private readonly IAuditTrail audit;
    private readonly IPolicyDecisionPoint decisions;
    private readonly CredentialIssuer issuer;
    private readonly RevocationService revocation;
    private readonly IOptionsMonitor<TaskOptions> options;
    private readonly TimeProvider time;
    private readonly MandateMetrics? metrics;
    private readonly DynamicCredentialTaskRenewal? dynamicCredentials;

    internal TaskService(
        IMandateStore store,
        IAuditTrail audit,
        IPolicyDecisionPoint decisions,
        CredentialIssuer issuer,
        RevocationService revocation,
        IOptionsMonitor<TaskOptions> options,
        TimeProvider time,
        MandateMetrics? metrics = null,
        DynamicCredentialTaskRenewal? dynamicCredentials = null)
    {
        this.metrics = metrics;
        this.dynamicCredentials = dynamicCredentials;
        this.store = store;
        this.audit = audit;
        this.decisions = decisions;
        this.issuer = issuer;
        this.revocation = revocation;
        this.options = options;
        this.time = time;
    }

    public async Task<TaskOutcome> OpenAsync(OpenTaskCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var settings = options.CurrentValue;
        if (Validate(command.Intent, settings) is { } problem)
        {
            return TaskOutcome.Fail(TaskErrorCodes.InvalidIntent, problem);
        }

        var ttl = command.Ttl ?? settings.DefaultTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return TaskOutcome.Fail(TaskErrorCodes.InvalidIntent, "ttl_seconds must be positive");
        }

        if (ttl > settings.MaxTtl)
        {
            return TaskOutcome.Fail(TaskErrorCodes.TtlTooLong, $"ttl_seconds {(long)ttl.TotalSeconds} is over the maximum of {(long)settings.MaxTtl.TotalSeconds}");
        }

        var id = "task_" + CompactJti.New();
        var decision = await decisions.DecideAsync(
            new DecisionRequest(
                new EntityUid(settings.PrincipalEntityType, command.Subject),
                new EntityUid(settings.ActionEntityType, settings.OpenTaskAction),
                new EntityUid(settings.TaskEntityType, id),
                new Dictionary<string, CedarValue>(StringComparer.Ordinal)
                {
                    ["task"] = IntentValue(command.Intent, ttl),
                })
            {
                RequestId = command.RequestId,
                TaskId = id,
                Caller = command.Subject,
            },
            cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            var why = decision.Errors.Count > 0
                ? string.Join("; ", decision.Errors.Select(e => $"{e.PolicyId}: {e.Message}"))
                : decision.Reasons.Count > 0 ? "forbidden by " + string.Join(", ", decision.Reasons) : "no policy permits it";
            return TaskOutcome.Fail(TaskErrorCodes.Denied, $"Opening this task was denied ({why}); decision {decision.DecisionId}.") with { Reasons = decision.Reasons };
        }

        var now = Now();
        var task = new MandateTask
        {
            Id = id,
            Subject = command.Subject,
            Intent = command.Intent,
            Status = MandateTaskStatus.Open,
            OpenedAt = now,
            ExpiresAt = now + ttl,
            LeaseLimit = now + settings.MaxLeaseTotal,
            DecisionId = decision.DecisionId,
            PolicyVersion = decision.PolicyVersion,
        };
        var credential = IssueFor(task, now, command.Confirmation);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<ITaskRepository>().InsertAsync(task, cancellationToken).ConfigureAwait(false);
        await session.Get<ICredentialRepository>().InsertAsync(credential.Record, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, TaskEvent("task.opened", task, command.Subject, credential.Record.Jti, command.RequestId, new()
        {
            ["ttl_seconds"] = ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["scope"] = ScopeSet.Format(credential.Record.Scopes),
            ["decision_id"] = decision.DecisionId,
            ["bound"] = credential.Record.ProofOfPossession?.Method ?? "none",
        }), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics?.CredentialIssued(MandateMetrics.IssuedKinds.Task);
        return new TaskOutcome(task, credential.Token, null, null) { CredentialJti = credential.Record.Jti };
    }

    public async Task<TaskOutcome> RenewAsync(string taskId, string caller, bool isAdmin, TimeSpan? ttl, string? requestId, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var extension = ttl ?? settings.DefaultTtl;
        if (extension <= TimeSpan.Zero || extension > settings.MaxTtl)
        {
            return TaskOutcome.Fail(TaskErrorCodes.TtlTooLong, $"ttl_seconds must be between 1 and {(long)settings.MaxTtl.TotalSeconds}");
        }

        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var (task, refusal) = await LoadForChangeAsync(session, taskId, caller, isAdmin, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = Now();
        if (task!.ExpiresAt <= now)
        {
            return TaskOutcome.Fail(TaskErrorCodes.NotOpen, $"Task {taskId}'s lease ended at {task.ExpiresAt:O}; it can no longer be renewed.");
        }

        if (task.Renewals >= settings.MaxRenewals)
        {
            return TaskOutcome.Fail(TaskErrorCodes.LeaseLimit, $"Task {taskId} was already renewed {task.Renewals} times, the maximum.");
        }

        var expires = now + extension > task.LeaseLimit ? task.LeaseLimit : now + extension;
        if (expires <= task.ExpiresAt)
        {
            return TaskOutcome.Fail(TaskErrorCodes.LeaseLimit, $"Task {taskId} has reached its lease limit ({task.LeaseLimit:O}).");
        }

        var renewed = task with { ExpiresAt = expires, Renewals = task.Renewals + 1 };
        var credentials = session.Get<ICredentialRepository>();
        var previous = await credentials.ListByTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
        var binding = previous.FirstOrDefault(c => c.Kind == CredentialKinds.Task)?.ProofOfPossession;

        // The task credentials this renewal replaces (normally one): revoked now, or after the configured grace.
        var superseded = previous.Where(c => c.Kind == CredentialKinds.Task && c.RevokedAt is null && c.ExpiresAt > now).Select(c => c.Jti).ToList();
        var credential = IssueFor(renewed, now, binding);
        await session.Get<ITaskRepository>().UpdateAsync(renewed, cancellationToken).ConfigureAwait(false);
        await credentials.InsertAsync(credential.Record, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>
        {
            ["expires_at"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["renewals"] = renewed.Renewals.ToString(CultureInfo.InvariantCulture),
        };
        if (superseded.Count > 0)
        {
            details["superseded_jtis"] = string.Join(' ', superseded);
            details["superseded_revoked_at"] = (now + settings.RenewalGrace).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        await audit.RecordAsync(session, TaskEvent("task.renewed", renewed, caller, credential.Record.Jti, requestId, details), cancellationToken).ConfigureAwait(false);
        if (settings.RenewalGrace <= TimeSpan.Zero)
        {
            foreach (var jti in superseded)
            {
                await revocation.RevokeAsync(session, RevocationTargetKind.Credential, jti, SupersededReason, caller, requestId, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (superseded.Count > 0)
        {
            await credentials.ScheduleRevocationAsync(superseded, now + settings.RenewalGrace, cancellationToken).ConfigureAwait(false);
        }

        // The task's downstream credentials live as long as it does (within their engine's MaxTtl).
        if (dynamicCredentials is not null)
        {
            await dynamicCredentials.OnRenewedAsync(session, taskId, expires, now, cancellationToken).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        metrics?.CredentialIssued(MandateMetrics.IssuedKinds.Task);
        return new TaskOutcome(renewed, credential.Token, null, null) { CredentialJti = credential.Record.Jti };
    }

    public async Task<TaskOutcome> CompleteAsync(string taskId, string caller, bool isAdmin, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var (task, refusal) = await LoadForChangeAsync(session, taskId, caller, isAdmin, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var outcome = await CloseAsync(session, task!, MandateTaskStatus.Completed, "completed", caller, requestId, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Closes every open task whose lease has ended; returns how many it closed. Also revokes the credentials renewals
    /// replaced whose grace period has passed (<see cref="RevokeSupersededAsync"/>).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await RevokeSupersededAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<MandateTask> due;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            due = await read.Get<ITaskRepository>().ListDueAsync(Now(), 200, cancellationToken).ConfigureAwait(false);
        }

        var closed = 0;
        foreach (var candidate in due)
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var task = await session.Get<ITaskRepository>().GetForUpdateAsync(candidate.Id, cancellationToken).ConfigureAwait(false);
            if (task is null || !task.IsOpen || task.ExpiresAt > Now())
            {
                continue;
            }

            await CloseAsync(session, task, MandateTaskStatus.Expired, "lease expired", "system", null, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            closed++;
        }

        return closed;
    }

    /// <summary>Revokes the credentials renewals replaced once their grace period has passed; returns how many.</summary>
    public async Task<int> RevokeSupersededAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> due;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            due = await read.Get<ICredentialRepository>().ListRevocationsDueAsync(time.GetUtcNow(), 200, cancellationToken).ConfigureAwait(false);
        }

        var revoked = 0;
        foreach (var jti in due)
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var outcome = await revocation.RevokeAsync(session, RevocationTargetKind.Credential, jti, SupersededReason + " (grace period ended)", "system", null, cancellationToken).ConfigureAwait(false);
            if (outcome is { RevokedJtis.Count: > 0 })
            {
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                revoked++;
            }
        }

        return revoked;
    }

    public async Task<MandateTask?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ITaskRepository>().GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MandateTask>> ListAsync(string? subject, string? status, int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ITaskRepository>().ListAsync(subject, status, limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CredentialRecord>> ListCredentialsAsync(string taskId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<ICredentialRepository>().ListByTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TaskOutcome> CloseAsync(IStoreSession session, MandateTask task, string status, string reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var closed = task with { Status = status, ClosedAt = Now(), CloseReason = reason };
        await session.Get<ITaskRepository>().UpdateAsync(closed, cancellationToken).ConfigureAwait(false);
        var revoked = await revocation.RevokeAsync(session, RevocationTargetKind.Task, task.Id, $"task {reason}", actor, requestId, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(session, TaskEvent("task." + status, closed, actor, null, requestId, new()
        {
            ["revoked_credentials"] = (revoked?.RevokedJtis.Count ?? 0).ToString(CultureInfo.InvariantCulture),
        }), cancellationToken).ConfigureAwait(false);
        return new TaskOutcome(closed, null, null, null) { RevokedCount = revoked?.RevokedJtis.Count ?? 0 };
    }

    private static async Task<(MandateTask? Task, TaskOutcome? Refusal)> LoadForChangeAsync(IStoreSession session, string taskId, string caller, bool isAdmin, CancellationToken cancellationToken)
    {
        // Another workload's task is answered exactly like a missing one (as GET does): neither its owner nor its
        // existence nor its state is revealed.
        var task = await session.Get<ITaskRepository>().GetForUpdateAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task is null || (!isAdmin && !string.Equals(task.Subject, caller, StringComparison.Ordinal)))
        {
            return (null, TaskOutcome.Fail(TaskErrorCodes.NotFound, $"There is no task {taskId}."));
        }

        if (!task.IsOpen)
        {
            return (null, TaskOutcome.Fail(TaskErrorCodes.NotOpen, $"Task {taskId} is already {task.Status}."));
        }

        return (task, null);
    }

    private IssuedCredential IssueFor(MandateTask task, DateTimeOffset now, ProofOfPossession? confirmation) =>
        issuer.Issue(new CredentialDraft
        {
            Kind = CredentialKinds.Task,
            Subject = task.Subject,
            Audiences = [issuer.Issuer],
            Scopes = task.Intent.Actions,
            IssuedAt = now,
            ExpiresAt = task.ExpiresAt,
            TaskId = task.Id,
            Intent = task.Intent,
            Confirmation = confirmation,
            // RFC 9068 §2.2: the client the token was issued to; a task credential goes to the workload that opened it.
            ClientId = task.Subject,
            TokenType = "at+jwt",
        });

    private const string SupersededReason = "superseded by a renewal of its task";

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());

    private static AuditEvent TaskEvent(string type, MandateTask task, string actor, string? jti, string? requestId, Dictionary<string, string> details) => new()
    {
        Type = type,
        Actor = actor,
        Subject = task.Subject,
        Action = type,
        Resource = "task:" + task.Id,
        CredentialId = jti,
        TaskId = task.Id,
        PolicyVersion = task.PolicyVersion,
        Reason = task.CloseReason,
        RequestId = requestId,
        Details = details,
    };

    internal static CedarValue IntentValue(TaskIntent intent, TimeSpan ttl) => CedarValue.Record(
    [
        new("description", CedarValue.String(intent.Description)),
        new("actions", CedarValue.Set(intent.Actions.Select(CedarValue.String))),
        new("resources", CedarValue.Set(intent.Resources.Select(CedarValue.String))),
        new("sensitivity_ceiling", CedarValue.String(intent.SensitivityCeiling.ToName())),
        new("sensitivity_ceiling_level", CedarValue.Long((long)intent.SensitivityCeiling)),
        new("destinations", CedarValue.Set(intent.Destinations.Select(CedarValue.String))),
        new("delegates", CedarValue.Set(intent.Delegates.Select(CedarValue.String))),
        new("ttl_seconds", CedarValue.Long((long)ttl.TotalSeconds)),
    ]);

    internal static string? Validate(TaskIntent intent, TaskOptions settings)
    {
        if (intent is null)
        {
            return "intent is required";
        }

        if (string.IsNullOrWhiteSpace(intent.Description))
        {
            return "intent.description is required";
        }

        if (intent.Description.Length > settings.MaxDescriptionLength)
        {
            return $"intent.description is longer than {settings.MaxDescriptionLength} characters";
        }

        if (intent.Actions is null || intent.Actions.Count == 0)
        {
            return "intent.actions must name at least one action";
        }

        if (intent.Resources is null || intent.Resources.Count == 0)
        {
            return "intent.resources must name at least one resource type or pattern";
        }

        foreach (var (name, list) in new[] { ("actions", intent.Actions), ("resources", intent.Resources), ("destinations", intent.Destinations), ("delegates", intent.Delegates) })
        {
            if (list is null)
            {
                return $"intent.{name} must be a list";
            }

            if (list.Count > settings.MaxIntentEntries)
            {
                return $"intent.{name} has more than {settings.MaxIntentEntries} entries";
            }

            for (var i = 0; i < list.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(list[i]) || list[i].Length > 512)
                {
                    return $"intent.{name}[{i}] must be a non-empty string of at most 512 characters";
                }
            }
        }

        for (var i = 0; i < intent.Actions.Count; i++)
        {
            if (!ScopeSet.IsValidToken(intent.Actions[i]))
            {
                return $"intent.actions[{i}] '{intent.Actions[i]}' is not a valid action name (no spaces, quotes or backslashes)";
            }
        }

        for (var i = 0; i < intent.Delegates.Count; i++)
        {
            if (!intent.Delegates[i].StartsWith("spiffe://", StringComparison.Ordinal))
            {
                return $"intent.delegates[{i}] must be a SPIFFE ID";
            }
        }

        return null;
    }
}
