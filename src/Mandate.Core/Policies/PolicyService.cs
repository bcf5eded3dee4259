using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Mandate.Core.Policies;

/// <summary>
/// Validates, stores and activates policy bundles. An activation is all or nothing: a bundle that fails to compile
/// leaves the current set in force and is reported; one that compiles is stored as a version (with an audit record)
/// and then swapped in.
/// </summary>
internal sealed partial class PolicyService(
    ActivePolicySet active,
    IMandateStore store,
    IAuditTrail audit,
    TimeProvider time,
    ILogger<PolicyService> logger)
{
    // The activation whose stored bundle failed to compile here, so the periodic catch-up does not compile it again.
    private long refusedSequence;

    // This node's own activation between its store write and its swap: the announcement of it reaches this node's
    // listener at commit, before the swap, and is served from here rather than compiled a second time.
    private InFlightActivation? inFlight;

    public ActivePolicySet Active => active;

    /// <summary>Compiles without activating: throws <see cref="PolicySetRejectedException"/> listing every error.</summary>
    public PolicySnapshot Validate(PolicyBundle bundle) => PolicyCompiler.Compile(bundle, "validation", time.GetUtcNow());

    public async Task<PolicySnapshot> ActivateAsync(PolicyBundle bundle, string origin, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        PolicySnapshot snapshot;
        try
        {
            snapshot = PolicyCompiler.Compile(bundle, origin, time.GetUtcNow());
        }
        catch (PolicySetRejectedException e)
        {
            await RejectAsync(origin, actor, e.Errors, cancellationToken).ConfigureAwait(false);
            throw;
        }

        var previous = active.Current.Version;
        long sequence;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var activation = await session.Get<IPolicyVersionRepository>()
                .SaveActivationAsync(snapshot.Version, PolicyActivationKinds.Activation, origin, actor, bundle, previous, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var details = new Dictionary<string, string>
            {
                ["origin"] = origin,
                ["previous_version"] = previous,
                ["activation"] = activation.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["policies"] = snapshot.Policies.Policies.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["entities"] = snapshot.Entities.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (!activation.NewVersion)
            {
                details["reactivated"] = "true";
            }

            await audit.RecordAsync(session, new AuditEvent
            {
                Type = "policy.activated",
                Actor = actor,
                PolicyVersion = snapshot.Version,
                Details = details,
            }, cancellationToken).ConfigureAwait(false);
            sequence = activation.Sequence;
            await CommitOwnAsync(session, new InFlightActivation(sequence, snapshot), cancellationToken).ConfigureAwait(false);
        }

        Swap(snapshot, sequence, origin);
        return snapshot;
    }

    /// <summary>
    /// Returns to a stored version: its row stays exactly as first recorded (origin, actor, time); the rollback is a new
    /// activation that points at it, and a <c>policy.rolled_back</c> event. Null when no such version is stored; throws
    /// <see cref="PolicySetRejectedException"/> when the stored bundle no longer compiles (the active set stays).
    /// </summary>
    public async Task<PolicySnapshot?> RollBackAsync(string version, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        var target = await GetVersionAsync(version, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return null;
        }

        const string origin = "rollback";
        PolicySnapshot snapshot;
        try
        {
            snapshot = PolicyCompiler.Compile(target.Bundle, origin, time.GetUtcNow());
        }
        catch (PolicySetRejectedException e)
        {
            await RejectAsync(origin + ":" + version, actor, e.Errors, cancellationToken).ConfigureAwait(false);
            throw;
        }

        var previous = active.Current.Version;
        long sequence;
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var activation = await session.Get<IPolicyVersionRepository>()
                .SaveActivationAsync(snapshot.Version, PolicyActivationKinds.Rollback, origin, actor, target.Bundle, previous, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(session, new AuditEvent
            {
                Type = "policy.rolled_back",
                Actor = actor,
                PolicyVersion = snapshot.Version,
                Details = new Dictionary<string, string>
                {
                    ["previous_version"] = previous,
                    ["activation"] = activation.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["version_origin"] = target.Origin,
                    ["version_actor"] = target.Actor,
                    ["version_created_at"] = Mandate.Core.Audit.AuditCanonicalForm.FormatTime(target.CreatedAt),
                },
            }, cancellationToken).ConfigureAwait(false);
            sequence = activation.Sequence;
            await CommitOwnAsync(session, new InFlightActivation(sequence, snapshot), cancellationToken).ConfigureAwait(false);
        }

        if (Swap(snapshot, sequence, origin))
        {
            LogRolledBack(logger, snapshot.Version, previous, actor);
        }

        return snapshot;
    }

    /// <summary>
    /// The version a rollback without a named version returns to: the latest activated one that is not the current
    /// one; null when no other version was ever activated.
    /// </summary>
    public async Task<string?> PreviousVersionAsync(CancellationToken cancellationToken)
    {
        var current = active.Current.Version;
        var history = await ListActivationsAsync(1000, cancellationToken).ConfigureAwait(false);
        return history.SkipWhile(a => a.Version == current).FirstOrDefault()?.Version;
    }

    /// <summary>The activation history, newest first.</summary>
    public async Task<IReadOnlyList<PolicyActivationRecord>> ListActivationsAsync(int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IPolicyVersionRepository>().ListActivationsAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Activates the most recently stored version (after a restart without <c>--data</c>); false when none exists.</summary>
    public async Task<bool> RestoreLastAsync(CancellationToken cancellationToken)
    {
        if (await ReadNewerAsync(cancellationToken).ConfigureAwait(false) is not var (activation, target))
        {
            return active.ActivationSequence > 0;
        }

        var snapshot = PolicyCompiler.Compile(target.Bundle, "store", time.GetUtcNow());
        Swap(snapshot, activation.Sequence, "store");
        return true;
    }

    /// <summary>
    /// Brings this node to the store's most recent activation when it is newer than the one in force (another node
    /// activated or rolled back). True when the store's latest activation is in force afterwards. A stored version that
    /// no longer compiles is reported as a rejection once (the set in force stays) and not compiled again until a newer
    /// activation appears.
    /// </summary>
    public async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        if (await ReadNewerAsync(cancellationToken).ConfigureAwait(false) is not var (activation, target))
        {
            return false;
        }

        if (Volatile.Read(ref inFlight) is { } own && own.Sequence == activation.Sequence)
        {
            return Swap(own.Snapshot, own.Sequence, own.Snapshot.Origin);
        }

        PolicySnapshot snapshot;
        try
        {
            snapshot = PolicyCompiler.Compile(target.Bundle, "store", time.GetUtcNow());
        }
        catch (PolicySetRejectedException e)
        {
            Volatile.Write(ref refusedSequence, activation.Sequence);
            var rejection = new PolicyRejection("store:" + target.Version, e.Errors, time.GetUtcNow());
            active.Reject(rejection);
            LogRejected(logger, rejection.Origin, active.Current.Version, string.Join("; ", e.Errors));
            return false;
        }

        return Swap(snapshot, activation.Sequence, "store");
    }

    // The store's latest activation and its version, when newer than the activation in force; else null.
    private async Task<(PolicyActivationRecord Activation, PolicyVersionRecord Version)?> ReadNewerAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IPolicyVersionRepository>();
        var activation = await repository.GetLastActivationAsync(cancellationToken).ConfigureAwait(false);
        // A version refused here is not read again (a bundle can be tens of megabytes) until a newer activation appears.
        if (activation is null || activation.Sequence <= active.ActivationSequence || activation.Sequence == Volatile.Read(ref refusedSequence))
        {
            return null;
        }

        var version = await repository.GetAsync(activation.Version, cancellationToken).ConfigureAwait(false);
        return version is null ? null : (activation, version);
    }

    // True when activation `sequence` is the one in force afterwards.
    private bool Swap(PolicySnapshot snapshot, long sequence, string origin)
    {
        if (Volatile.Read(ref inFlight) is { } pending && pending.Sequence <= sequence)
        {
            Interlocked.CompareExchange(ref inFlight, null, pending);
        }

        if (!active.TryActivate(snapshot, sequence))
        {
            // Either this very activation is in force already (this node's listener heard of it at commit and swapped it
            // in first), or a later one from another node is, and stays.
            if (active.ActivationSequence == sequence)
            {
                return true;
            }

            LogSuperseded(logger, snapshot.Version, sequence, active.Current.Version, active.ActivationSequence);
            return false;
        }

        LogActivated(logger, snapshot.Version, origin, snapshot.Policies.Policies.Count, snapshot.Entities.Count);
        return true;
    }

    public async Task<IReadOnlyList<PolicyVersionRecord>> ListVersionsAsync(int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IPolicyVersionRepository>().ListAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PolicyVersionRecord?> GetVersionAsync(string version, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IPolicyVersionRepository>().GetAsync(version, cancellationToken).ConfigureAwait(false);
    }

    private async Task RejectAsync(string origin, string actor, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var rejection = new PolicyRejection(origin, errors, time.GetUtcNow());
        active.Reject(rejection);
        LogRejected(logger, origin, active.Current.Version, string.Join("; ", errors));
        try
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            await audit.RecordAsync(session, new AuditEvent
            {
                Type = "policy.rejected",
                Actor = actor,
                PolicyVersion = active.Current.Version,
                Reason = Truncate(string.Join("; ", errors), 2000),
                Details = new Dictionary<string, string> { ["origin"] = origin },
            }, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            LogRejectionNotAudited(logger, e, origin);
        }
    }

    private async Task CommitOwnAsync(IStoreSession session, InFlightActivation activation, CancellationToken cancellationToken)
    {
        Volatile.Write(ref inFlight, activation);
        try
        {
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not committed (or not known to be): the sequence may be taken by another node's activation.
            Interlocked.CompareExchange(ref inFlight, null, activation);
            throw;
        }
    }

    private sealed record InFlightActivation(long Sequence, PolicySnapshot Snapshot);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Policy set {Version} from {Origin} active: {Policies} policies, {Entities} entities")]
    private static partial void LogActivated(ILogger logger, string version, string origin, int policies, int entities);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Policy set from {Origin} rejected; version {Version} stays in force: {Errors}")]
    private static partial void LogRejected(ILogger logger, string origin, string version, string errors);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Policy rejection from {Origin} could not be audited")]
    private static partial void LogRejectionNotAudited(ILogger logger, Exception exception, string origin);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Policy set {Version} (activation {Sequence}) not swapped in: activation {CurrentSequence} of {CurrentVersion} is in force already")]
    private static partial void LogSuperseded(ILogger logger, string version, long sequence, string currentVersion, long currentSequence);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Policy set rolled back to {Version} (was {Previous}) by {Actor}")]
    private static partial void LogRolledBack(ILogger logger, string version, string previous, string actor);
}
