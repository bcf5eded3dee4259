namespace Mandate.Core.Detection.Signals;

/// <summary>Persistence of the outbound signal outbox: the fan-out's cursor in the audit chain and the messages.</summary>
internal interface ISignalRepository
{
    /// <summary>The last audit sequence the fan-out processed.</summary>
    Task<long> GetCursorAsync(CancellationToken cancellationToken);

    /// <summary>Moves the cursor from <paramref name="expected"/> to <paramref name="next"/>; false when another node moved it first.</summary>
    Task<bool> AdvanceCursorAsync(long expected, long next, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddAsync(SignalDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Pending messages due at <paramref name="now"/> on <paramref name="channels"/>, oldest first.</summary>
    Task<IReadOnlyList<SignalDelivery>> ListDueAsync(IReadOnlyCollection<string> channels, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest next attempt of a pending message on <paramref name="channels"/>, or null.</summary>
    Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<string> channels, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a due message for one attempt: moves its next attempt to <paramref name="leaseUntil"/> if it is still
    /// pending at <paramref name="expectedNextAttempt"/>. False when another node (or loop) took it first.
    /// </summary>
    Task<bool> ClaimAsync(string id, DateTimeOffset expectedNextAttempt, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Records an attempt's outcome: the new state, attempt count, next attempt, status and error.</summary>
    Task RecordAttemptAsync(SignalDelivery delivery, CancellationToken cancellationToken);

    Task<SignalDelivery?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Messages of one channel (and target, when given) in <paramref name="state"/>, oldest first.</summary>
    Task<IReadOnlyList<SignalDelivery>> ListAsync(string channel, string? target, string state, int limit, CancellationToken cancellationToken);

    /// <summary>Marks pending messages of <paramref name="target"/> delivered (a poll's acknowledgements); the ids it changed.</summary>
    Task<IReadOnlyList<string>> AcknowledgeAsync(string channel, string target, IReadOnlyCollection<string> ids, string state, string? error, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Moves the next attempt of every pending message of a target to <paramref name="at"/> (a stream resumed, paused or changed its delivery).</summary>
    Task RescheduleTargetAsync(string channel, string target, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes every message of a target (its endpoint or stream was removed).</summary>
    Task DeleteTargetAsync(string channel, string target, CancellationToken cancellationToken);
}
