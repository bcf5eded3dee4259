using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection.Rules;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Detection;

/// <summary>
/// Runs the rules over ledger records in sequence order and commits, in one transaction per batch: the new cursor
/// (compare-and-set, so a batch is processed once even when several nodes try), the rule state the batch changed, its
/// alerts, the risk they raised and their <c>detection.alert</c>/<c>detection.response</c> ledger events. Batches the
/// live loop hands over that raise no alert may stay unsaved for up to <see cref="DetectionOptions.SaveInterval"/>
/// (see there): their state is rebuilt from the ledger if this process stops before saving it. Lifecycle
/// responses (suspend, revoke) run after the commit (<see cref="DetectionResponder"/>) and are retried from the store
/// until done. Not thread-safe: one loop drives it.
/// </summary>
internal sealed class DetectionEngine
{
    private readonly IMandateStore store;
    private readonly IAuditTrail audit;
    private readonly RiskBook risk;
    private readonly AlertSignal signal;
    private readonly DetectionResponder responder;
    private readonly TimeProvider time;
    private readonly IReadOnlyDictionary<string, DetectionRuleSettings> settings;
    private readonly IDetectionRule[] rules;
    private readonly TimeSpan forgetCredentialsAfter;
    private readonly TimeSpan saveInterval;
    private readonly int saveAfter;
    private DetectionStateStore state = new();

    // The cursor as stored (as of the last load or commit); Cursor is ahead of it while processed records are unsaved.
    private long saved;

    // When the first unsaved record was processed, and the ledger time of the newest processed record (the clock the
    // credential state is forgotten by when it is saved).
    private long unsavedSince;
    private long newestRecordTime;

    public DetectionEngine(
        IMandateStore store,
        IAuditTrail audit,
        RiskBook risk,
        AlertSignal signal,
        DetectionResponder responder,
        IEnumerable<IDetectionRule> rules,
        IOptions<DetectionOptions> options,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.audit = audit;
        this.risk = risk;
        this.signal = signal;
        this.responder = responder;
        this.time = time;
        settings = DetectionRuleSettings.Resolve(options.Value);
        this.rules = [.. rules.Where(r => settings.TryGetValue(r.Name, out var s) && s.Enabled)];
        forgetCredentialsAfter = settings.Values.Max(s => s.Window > s.Cooldown ? s.Window : s.Cooldown) * 2;
        saveInterval = options.Value.SaveInterval;
        saveAfter = options.Value.BatchSize;
    }

    /// <summary>The last ledger sequence processed (in memory: it may be ahead of the stored cursor, see <see cref="Unsaved"/>).</summary>
    public long Cursor { get; private set; }

    /// <summary>Records processed whose cursor and rule state are not stored yet.</summary>
    public long Unsaved => Cursor - saved;

    /// <summary>How long until the unsaved records are due to be saved (<see cref="SaveAsync"/>); null when none are.</summary>
    public TimeSpan? SaveDue => Unsaved > 0 ? saveInterval - time.GetElapsedTime(unsavedSince) : null;

    public IReadOnlyDictionary<string, DetectionRuleSettings> Settings => settings;

    /// <summary>Processed records (for metrics and tests).</summary>
    public long Processed { get; private set; }

    /// <summary>(Re)loads cursor, rule state and risk from the store, dropping whatever this process held.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IDetectionRepository>();
        var cursor = await repository.GetCursorAsync(cancellationToken).ConfigureAwait(false);
        var stored = await repository.LoadStateAsync(cancellationToken).ConfigureAwait(false);
        var risks = await repository.LoadRiskAsync(cancellationToken).ConfigureAwait(false);
        state = DetectionStateStore.Load(stored);
        risk.Load(risks);
        Cursor = cursor;
        saved = cursor;
    }

    /// <summary>Reads and processes every record past the cursor, in batches of <paramref name="batchSize"/>.</summary>
    public async Task CatchUpAsync(int batchSize, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(batchSize, 1, AuditQuery.MaxLimit);
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<AuditRecord> page;
            var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                page = await session.Get<IAuditRepository>().QueryAsync(new AuditQuery { AfterSequence = Cursor, Limit = limit }, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count == 0)
            {
                return;
            }

            if (!await ProcessAsync(page, cancellationToken).ConfigureAwait(false))
            {
                // Another node processed these first: its state is now the store's.
                await LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < limit)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Processes records that continue the cursor without a gap (the first is <see cref="Cursor"/> + 1) and commits
    /// them (with any records left unsaved before). False, having committed nothing, when another node moved the cursor
    /// meanwhile: the caller reloads. A failure leaves the in-memory state ahead of the store; the caller reloads before
    /// going on (<see cref="LoadAsync"/>).
    /// </summary>
    public Task<bool> ProcessAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) =>
        ProcessAsync(records, mayDefer: false, cancellationToken);

    /// <summary>
    /// As <see cref="ProcessAsync(IReadOnlyList{AuditRecord}, CancellationToken)"/>; with <paramref name="mayDefer"/>,
    /// records that raise no alert are only processed in memory while the unsaved ones are fewer than
    /// <see cref="DetectionOptions.BatchSize"/> and the first of them was processed less than
    /// <see cref="DetectionOptions.SaveInterval"/> ago (the caller saves them when <see cref="SaveDue"/> runs out).
    /// </summary>
    public async Task<bool> ProcessAsync(IReadOnlyList<AuditRecord> records, bool mayDefer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return true;
        }

        var hits = new List<DetectionHit>();
        var scope = new DetectionScope(state, settings, hits);
        var last = Cursor;
        foreach (var record in records)
        {
            if (record.Sequence != last + 1)
            {
                throw new InvalidOperationException($"Detection expected ledger record {last + 1} and was given {record.Sequence}.");
            }

            last = record.Sequence;
            if (DetectionEvents.IsOwnOutput(record.Event))
            {
                continue;
            }

            scope.Begin(record);
            foreach (var rule in rules)
            {
                rule.Observe(scope);
            }
        }

        newestRecordTime = records[^1].Time.ToUnixTimeMilliseconds();
        if (mayDefer && hits.Count == 0 && saveInterval > TimeSpan.Zero && last - saved < saveAfter
            && (Unsaved == 0 || time.GetElapsedTime(unsavedSince) < saveInterval))
        {
            // Nothing to alert on: the state stays in memory (dirty) until the next save, which writes it all at once.
            if (Unsaved == 0)
            {
                unsavedSince = time.GetTimestamp();
            }

            Cursor = last;
            Processed += records.Count;
            return true;
        }

        return await CommitAsync(last, hits, records.Count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves the cursor and rule state of the records processed but not saved yet. False as for <see cref="ProcessAsync(IReadOnlyList{AuditRecord}, CancellationToken)"/>.</summary>
    public Task<bool> SaveAsync(CancellationToken cancellationToken) =>
        Unsaved == 0 ? Task.FromResult(true) : CommitAsync(Cursor, [], 0, cancellationToken);

    private async Task<bool> CommitAsync(long last, List<DetectionHit> hits, int processed, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Forgetting follows the ledger's clock like the windows do: a catch-up over hours-old records must keep the
        // credential state those records built, or a replay would decide differently from the live run.
        var changes = state.TakeChanges(newestRecordTime, forgetCredentialsAfter);
        var raised = new Dictionary<string, StoredRisk>(StringComparer.Ordinal);
        var alerts = new List<DetectionAlert>(hits.Count);
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<IDetectionRepository>();
            if (!await repository.AdvanceCursorAsync(saved, last, now, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await repository.SaveStateAsync(changes, now, cancellationToken).ConfigureAwait(false);
            var sequence = hits.Count == 0 ? 0 : await repository.GetLastAlertSequenceAsync(cancellationToken).ConfigureAwait(false);
            var events = new List<AuditEvent>(hits.Count * 2);
            foreach (var hit in hits)
            {
                var rule = settings[hit.Rule];
                StoredRisk? after = null;
                if (rule.Responds(DetectionResponseKinds.RaiseRisk) && rule.Risk > 0)
                {
                    var reason = $"{hit.Rule} (evidence {Evidence(hit.Evidence)})";
                    after = raised.TryGetValue(hit.Identity, out var earlier)
                        ? earlier with { Score = Math.Min(100, earlier.Score + rule.Risk), Reason = reason }
                        : risk.Raised(hit.Identity, rule.Risk, reason);
                    raised[hit.Identity] = after;
                }

                var score = after is null ? (long?)null : (long)Math.Round(after.Score, MidpointRounding.AwayFromZero);
                var pending = rule.Responses.Any(DetectionResponseKinds.IsLifecycleAction);
                var alert = new DetectionAlert
                {
                    Sequence = ++sequence,
                    Id = "alt_" + CompactJti.New(),
                    Rule = hit.Rule,
                    Severity = rule.Severity,
                    Identity = hit.Identity,
                    Time = hit.At,
                    Summary = hit.Summary,
                    Evidence = hit.Evidence,
                    TaskId = hit.TaskId,
                    Response = new AlertResponse(
                        rule.Responses,
                        score,
                        score is { } s ? RiskLevels.Of(s) : null,
                        pending ? AlertResponse.Pending : AlertResponse.Done,
                        score is { } raisedTo ? [$"risk raised to {raisedTo.ToString(CultureInfo.InvariantCulture)} ({RiskLevels.Of(raisedTo)})"] : []),
                };
                alerts.Add(alert);
                await repository.AddAlertAsync(alert, cancellationToken).ConfigureAwait(false);
                events.Add(AlertEvent(alert));
                if (score is { } value)
                {
                    events.Add(DetectionResponder.ResponseEvent(alert, DetectionResponseKinds.RaiseRisk, $"risk raised by {rule.Risk.ToString(CultureInfo.InvariantCulture)} to {value.ToString(CultureInfo.InvariantCulture)} ({RiskLevels.Of(value)})", value));
                }
            }

            foreach (var stored in raised.Values)
            {
                await repository.SetRiskAsync(stored, cancellationToken).ConfigureAwait(false);
            }

            if (events.Count > 0)
            {
                await audit.RecordManyAsync(session, events, cancellationToken).ConfigureAwait(false);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        Cursor = last;
        saved = last;
        Processed += processed;
        foreach (var stored in raised.Values)
        {
            risk.Apply(stored);
        }

        if (alerts.Count > 0)
        {
            signal.Raised();
            foreach (var alert in alerts.Where(a => a.Response.State == AlertResponse.Pending))
            {
                await responder.RespondAsync(alert, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Runs the lifecycle responses of alerts committed earlier whose responses did not finish (a crash, an outage).</summary>
    public async Task RunPendingResponsesAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DetectionAlert> pending;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            pending = await session.Get<IDetectionRepository>().ListPendingResponsesAsync(1000, cancellationToken).ConfigureAwait(false);
        }

        foreach (var alert in pending)
        {
            await responder.RespondAsync(alert, cancellationToken).ConfigureAwait(false);
        }
    }

    private static AuditEvent AlertEvent(DetectionAlert alert) => new()
    {
        Type = "detection.alert",
        Actor = DetectionResponder.Actor,
        Subject = alert.Identity,
        Action = alert.Rule,
        TaskId = alert.TaskId,
        Reason = alert.Summary,
        Details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alert_id"] = alert.Id,
            ["rule"] = alert.Rule,
            ["severity"] = alert.Severity,
            ["evidence"] = Evidence(alert.Evidence),
            ["responses"] = string.Join(',', alert.Response.Actions),
        },
    };

    internal static string Evidence(IReadOnlyList<long> evidence) =>
        string.Join(' ', evidence.Select(s => s.ToString(CultureInfo.InvariantCulture)));
}
